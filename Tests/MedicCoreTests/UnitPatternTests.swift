import Glibc
import MedicCore
import MedicTestSupport
import Testing

@Suite("Unit patterns")
struct UnitPatternTests {
    @Test("plain names get .service like systemctl; names with a type keep it", arguments: [
        ("web", "web.service"), ("web.service", "web.service"), ("app.timer", "app.timer"),
        ("getty@tty1", "getty@tty1.service"), ("dev-sda1.device", "dev-sda1.device"),
    ])
    func normalisation(raw: String, text: String) throws {
        #expect(try UnitPattern(raw).text == text)
    }

    @Test("globs match with fnmatch semantics", arguments: [
        ("web-*.service", "web-1.service", true),
        ("web-*.service", "db-1.service", false),
        ("*", "anything.socket", true),
        ("app?.service", "app1.service", true),
        ("app?.service", "app12.service", false),
        ("app[0-9].service", "app7.service", true),
        ("app[!0-9].service", "app7.service", false),
        ("app[!0-9].service", "appx.service", true),
        ("*.timer", "a.service", false),
        ("*a*b*c", "xxaxxbxxc", true),
        ("*a*b*c", "xxaxxcxxb", false),
        ("dev-disk-by\\x2duuid*", "dev-disk-by\\x2duuid-1.device", true),
    ])
    func matching(pattern: String, name: String, expected: Bool) throws {
        #expect(try UnitPattern(pattern).matches(name) == expected)
    }

    @Test("plain names are compared exactly; non-ASCII names take the same glob rules")
    func exactAndNonASCII() throws {
        #expect(try UnitPattern("web.service").matches("web.service"))
        #expect(try !UnitPattern("web.service").matches("web.service2"))
        #expect(try !UnitPattern("web").matches("web"), "a plain name gets .service")
        #expect(try UnitPattern("caf?.service").matches("café.service"), "? is one character, not one byte")
        #expect(try !UnitPattern("caf??.service").matches("café.service"))
        #expect(try UnitPattern("*.service").matches("é.service"))
    }

    @Test("globs agree with the C library's fnmatch(3) with FNM_NOESCAPE, as systemd matches, on 80,000 seeded pairs (the valid globs among them)")
    func agreesWithFnmatch() throws {
        var random = SeededGenerator(state: 20_261_203)
        let patternAlphabet = Array("ab.-0129*?[]!^"), nameAlphabet = Array("ab.-0129")
        var compared = 0, matched = 0
        for _ in 0..<80_000 {
            let pattern = String((0..<Int.random(in: 0..<9, using: &random)).map { _ in patternAlphabet.randomElement(using: &random)! })
            let name = String((0..<Int.random(in: 0..<9, using: &random)).map { _ in nameAlphabet.randomElement(using: &random)! })
            guard let parsed = try? UnitPattern(pattern), parsed.isGlob else { continue }
            let expected = fnmatch(parsed.text, name, FNM_NOESCAPE) == 0
            #expect(parsed.matches(name) == expected, "'\(parsed.text)' against '\(name)'")
            compared += 1
            if expected { matched += 1 }
        }
        #expect(compared > 5_000)
        #expect(matched > 200, "enough pairs that match, not only ones that do not")
    }

    @Test("bad patterns are refused with the reason", arguments: [
        ("", "empty"),
        ("web service", "character ' ' cannot appear in a unit name"),
        ("web/1.service", "character '/' cannot appear in a unit name"),
        ("app[0-9.service", "'[' without ']'"),
        ("app].service", "']' without '['"),
        ("a@b@c.service", "more than one '@'"),
        (".service", "a unit name needs a name before its suffix"),
        (String(repeating: "a", count: 256), "longer than 255 characters"),
    ])
    func invalid(raw: String, problem: String) {
        #expect(throws: UnitPattern.Invalid(pattern: raw, problem: problem)) { try UnitPattern(raw) }
    }

    @Test("no patterns select everything")
    func emptySelectsAll() {
        #expect(UnitPattern.any([], match: "x.service"))
    }
}

