import MedicCore
import Testing

@Suite("Terminal-safe text")
struct TerminalTextTests {
    @Test("C0 controls but tab, DEL and C1 controls are shown escaped; newlines are kept unless asked", arguments: [
        ("plain text, with tabs\tand ünïcödé ✓", "plain text, with tabs\tand ünïcödé ✓"),
        ("\u{1B}[2J\u{1B}]0;pwned\u{07}", "\\x1b[2J\\x1b]0;pwned\\x07"),
        ("over\rwrite\u{08}x", "over\\x0dwrite\\x08x"),
        ("del\u{7F} csi\u{9B}31m nel\u{85}", "del\\x7f csi\\u{9b}31m nel\\u{85}"),
        ("nul\u{00}", "nul\\x00"),
        ("two\nlines", "two\nlines"),
    ])
    func escapes(input: String, expected: String) {
        #expect(TerminalText.escape(input) == expected)
    }

    @Test("without newlines kept, a newline is escaped too")
    func newlines() {
        #expect(TerminalText.escape("a\nb", keepNewlines: false) == "a\\x0ab")
    }

    @Test("JSON: DEL and C1 become \\u escapes, everything else is left to the encoder")
    func json() {
        #expect(TerminalText.escapeJSON("{\"m\":\"a\u{7F}b\u{9B}c\u{1B}\"}") == "{\"m\":\"a\\u007fb\\u009bc\u{1B}\"}")
        #expect(TerminalText.escapeJSON("{\"m\":\"ok ✓\"}") == "{\"m\":\"ok ✓\"}")
    }

    @Test("bytes that are not UTF-8 are shown as \\xNN, valid ones decoded")
    func decode() {
        #expect(TerminalText.decode([0x61, 0xFF, 0x62, 0xC3, 0xA9, 0xC3]) == "a\\xffbé\\xc3")
        #expect(TerminalText.decode(Array("fine ✓".utf8)) == "fine ✓")
    }
}

@Suite("Trouble writing the history")
struct WriteTroubleTests {
    @Test("said at the first failure, then at most once a minute, and once when writes succeed again")
    func rateLimited() {
        var trouble = WriteTrouble()
        #expect(trouble.succeeded(at: 0, written: 0) == nil)
        #expect(trouble.failed(kind: "disk is full", at: 10)?.hasPrefix("cannot write the history: disk is full") == true)
        // 25 more failures over 50 s: nothing.
        for second in stride(from: 12.0, through: 60, by: 2) { #expect(trouble.failed(kind: "disk is full", at: second) == nil) }
        #expect(trouble.failed(kind: "disk is full", at: 70) == "still cannot write the history: disk is full (26 failed writes in 1m)")
        #expect(trouble.failed(kind: "disk is full", at: 72) == nil)
        #expect(trouble.failed(kind: "the store is read-only", at: 74)?.contains("read-only") == true)
        #expect(trouble.succeeded(at: 100, written: 3) == "the history is writable again after 90s; 3 held-back writes are now stored")
        #expect(trouble.succeeded(at: 102, written: 0) == nil)
        #expect(!trouble.isFailing)
    }
}
