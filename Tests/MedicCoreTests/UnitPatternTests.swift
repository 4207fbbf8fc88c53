import MedicCore
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
