import Logging
import Synchronization
import Testing

@testable import KeywayServer

@Suite struct KeywayLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { self.lines.withLock { $0 } }
    }

    func logger(_ lines: Lines, provider: Logger.MetadataProvider? = nil) -> Logger {
        var logger = Logger(label: "keyway") { label in
            KeywayLogHandler(label: label, metadataProvider: provider) { line in
                lines.lines.withLock { $0.append(line) }
            }
        }
        logger.logLevel = .info
        return logger
    }

    /// The line is StreamLogHandler's: time, level, label, metadata sorted by key, source, message.
    @Test func writesStreamLogHandlerLines() throws {
        let lines = Lines()
        var logger = self.logger(lines)
        logger[metadataKey: "hb.request.id"] = "abc"
        logger.info("request", metadata: ["status": "200", "action": "DescribeKeyPairs"], source: "KeywayServer")
        let line = try #require(lines.all.first)
        #expect(
            line.wholeMatch(
                of:
                    /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info keyway: action=DescribeKeyPairs hb.request.id=abc status=200 \[KeywayServer\] request\n/
            ) != nil,
            "\(line)"
        )
    }

    /// Explicit metadata wins over the provider's, which wins over the logger's own; lines below the level are not
    /// written.
    @Test func mergesMetadataAndHonoursTheLevel() throws {
        let lines = Lines()
        var logger = self.logger(lines, provider: Logger.MetadataProvider { ["who": "provider", "p": "1"] })
        logger[metadataKey: "who"] = "logger"
        logger[metadataKey: "l"] = "1"
        logger.debug("not written")
        logger.info("first")
        logger.warning("second", metadata: ["who": "explicit"])
        let all = lines.all
        #expect(all.count == 2)
        #expect(all[0].contains("keyway: l=1 p=1 who=provider [KeywayServerTests] first\n"))
        #expect(all[1].contains("warning keyway: l=1 p=1 who=explicit [KeywayServerTests] second\n"))
    }

    /// Request strings cannot forge a line or a field: control characters become escapes, and a value with a
    /// space or quote is quoted (issue 13).
    @Test func escapesRequestStringsInMetadataAndMessages() throws {
        let lines = Lines()
        let logger = self.logger(lines)
        logger.info(
            "bad\nline",
            metadata: ["action": "X\n2026-01-01 info keyway: forged=1", "user": "a \"b\"", "plain": "AKIA0"]
        )
        let line = try #require(lines.all.first)
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.contains(#"action="X\n2026-01-01 info keyway: forged=1""#), "\(line)")
        #expect(line.contains(#"user="a \"b\"""#), "\(line)")
        #expect(line.contains(" plain=AKIA0 "), "\(line)")
        #expect(line.hasSuffix(#"] bad\nline"# + "\n"), "\(line)")
        #expect(KeywayLogHandler.escaped("\u{1b}[31m") == #""\u{1b}[31m""#)
    }
}
