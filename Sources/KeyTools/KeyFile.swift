import Foundation
import KeyFormats

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading keys from files and standard input, and writing private keys to files only their owner can read.
public enum KeyFile {
    /// The largest input read; no key file comes near it, and it bounds what a mistaken path can cost.
    static let maximumSize = 1 << 20

    /// Reads and parses the key at `path`, or standard input for `-`.
    public static func read(_ path: String) throws(KeyToolError) -> KeyMaterial {
        let bytes = try Self.readBytes(path)
        do {
            return try KeyMaterial(bytes: bytes)
        } catch let error as KeyFormatsError {
            throw .keyFormats(path, error)
        } catch {
            throw .badInput(path, "The key could not be read.")
        }
    }

    /// Reads the bytes at `path`, or standard input for `-`.
    static func readBytes(_ path: String) throws(KeyToolError) -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .fileSystem(path, "No such file.")
            }
            guard !isDirectory.boolValue else {
                throw .fileSystem(path, "This is a directory, not a key file.")
            }
            // A FileHandle reads pipes and process substitutions (/dev/fd/N) too, as ssh-keygen -f does.
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw .fileSystem(path, "The file could not be opened.")
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        guard let data = try? handle.read(upToCount: Self.maximumSize + 1) ?? Data() else {
            throw .fileSystem(path, "The file could not be read.")
        }
        guard data.count <= Self.maximumSize else {
            throw .badInput(path, "The input is larger than 1 MiB; no key file is that large.")
        }
        return Array(data)
    }

    /// Writes `text` to `path` with mode 0600, replacing any file there; for private keys.
    public static func writePrivate(_ text: String, to path: String) throws(KeyToolError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .fileSystem(path, "The file could not be created (\(String(cString: strerror(errno)))).")
        }
        defer { close(descriptor) }
        // An existing file keeps its mode through O_TRUNC; a private key must not stay readable by others.
        guard fchmod(descriptor, 0o600) == 0 else {
            throw .fileSystem(path, "The file's mode could not be set to 0600.")
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else {
                throw .fileSystem(path, "The file could not be written.")
            }
            written += result
        }
    }
}
