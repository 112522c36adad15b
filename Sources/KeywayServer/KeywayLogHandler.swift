import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's log handler: lines to standard error in `StreamLogHandler`'s format
/// (`2026-11-23T19:36:04+0000 info keyway: key=value … [source] message`), written with one `write` each.
///
/// Unlike `StreamLogHandler`, it renders metadata only when a line is written. Hummingbird sets the request ID on
/// each request's logger, and `StreamLogHandler` re-renders all of its metadata on every such change, whatever the
/// log level: work done per request for lines that, at the levels servers run at, are never written.
public struct KeywayLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable (String) -> Void

    /// A handler for `label`, taking metadata also from `metadataProvider` when one is given, writing each line to
    /// standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider, output: Self.writeToStandardError)
    }

    /// A handler that hands each finished line, newline included, to `output`.
    public init(
        label: String,
        metadataProvider: Logger.MetadataProvider? = nil,
        output: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var metadata = self.metadata
        if let provided = self.metadataProvider?.get(), !provided.isEmpty {
            metadata.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            metadata.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = Self.timestamp()
        line += " \(event.level) \(self.label):"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(Self.escaped("\(value)"))"
        }
        line += " [\(event.source)] \(Self.escaped(event.message.description, quoting: false))\n"
        self.output(line)
    }

    /// A value as it may stand in a log line: request strings reach metadata (an `Action`, a user name), so a
    /// newline or other control character could forge a line. Those are written as escapes, and a value with a
    /// space, quote or backslash is quoted, so every line stays one line and each `key=value` reads back whole.
    static func escaped(_ value: String, quoting: Bool = true) -> String {
        let needsWork = value.utf8.contains { byte in
            byte < 0x21 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
        guard needsWork || (quoting && value.isEmpty) else { return value }
        var out = quoting ? "\"" : ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "\"": out += quoting ? "\\\"" : "\""
            case " ": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029
                {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if quoting { out += "\"" }
        return out
    }

    /// Local time as `StreamLogHandler` writes it, `%Y-%m-%dT%H:%M:%S%z`.
    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let count = strftime(buffer.baseAddress!, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: count), as: UTF8.self)
        }
    }

    /// Writes the whole line to standard error, so lines from concurrent requests never interleave.
    @Sendable private static func writeToStandardError(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
