/// The versions of PuTTY's private key file format.
public enum PPKVersion: Int, Hashable, Sendable {
    /// `PuTTY-User-Key-File-2`: read by every PuTTY release; the default, as EC2 recommends for `KeyFormat=ppk`.
    case v2 = 2
    /// `PuTTY-User-Key-File-3`: PuTTY 0.75 and later only.
    case v3 = 3
}
