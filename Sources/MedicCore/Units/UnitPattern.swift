/// A unit name or shell-style glob (`*`, `?`, `[...]`) selecting units, validated against systemd's
/// unit name grammar so that a typo is an error instead of silently matching nothing.
public struct UnitPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as matched, with `.service` added to a bare name as systemctl does.
    public let text: String

    /// Why a pattern was refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var pattern: String
        public var problem: String
        public init(pattern: String, problem: String) {
            self.pattern = pattern
            self.problem = problem
        }

        public var description: String { "invalid unit pattern '\(pattern)': \(problem)" }
    }

    static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@")
    static let maximumLength = 255

    public init(_ raw: String) throws(Invalid) {
        func fail(_ problem: String) -> Invalid { Invalid(pattern: raw, problem: problem) }
        guard !raw.isEmpty else { throw fail("empty") }
        guard raw.count <= Self.maximumLength else { throw fail("longer than \(Self.maximumLength) characters") }
        var inBracket = false
        var bracketStart = true
        for character in raw {
            if inBracket {
                if character == "]" && !bracketStart { inBracket = false }
                else if !Self.nameCharacters.contains(character) && !"!^-]".contains(character) {
                    throw fail("character '\(character)' cannot appear in a unit name")
                }
                bracketStart = false
                continue
            }
            switch character {
            case "*", "?": break
            case "[": inBracket = true; bracketStart = true
            case "]": throw fail("']' without '['")
            default:
                guard Self.nameCharacters.contains(character) else {
                    throw fail("character '\(character)' cannot appear in a unit name")
                }
            }
        }
        if inBracket { throw fail("'[' without ']'") }
        if raw.filter({ $0 == "@" }).count > 1 { throw fail("more than one '@'") }
        let isGlob = raw.contains { "*?[".contains($0) }
        if !isGlob {
            if UnitType(unitName: raw) == nil {
                text = raw + ".service"
            } else {
                text = raw
            }
            guard text.first != "." && text.first != "@" else { throw fail("a unit name needs a name before its suffix") }
        } else {
            text = raw
        }
    }

    /// True when the pattern has glob characters; a plain name names exactly one unit.
    public var isGlob: Bool { text.contains { "*?[".contains($0) } }

    public var description: String { text }

    /// Whether `name` matches, with fnmatch(3) semantics as systemd uses them (FNM_NOESCAPE: '\\' is a literal, as in escaped unit names).
    public func matches(_ name: String) -> Bool {
        Self.glob(Array(text.unicodeScalars), Array(name.unicodeScalars))
    }

    /// True when `patterns` is empty (everything) or any pattern matches.
    public static func any(_ patterns: [UnitPattern], match name: String) -> Bool {
        patterns.isEmpty || patterns.contains { $0.matches(name) }
    }

    private static func glob(_ p: [Unicode.Scalar], _ s: [Unicode.Scalar]) -> Bool {
        var pi = 0, si = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count, p[pi] == "*" {
                starP = pi; starS = si; pi += 1
                continue
            }
            if pi < p.count, let (matched, next) = single(p, pi, s[si]), matched {
                pi = next; si += 1
                continue
            }
            guard starP >= 0 else { return false }
            pi = starP + 1; starS += 1; si = starS
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Matches one pattern element at `pi` against `c`; returns whether it matched and the next index.
    private static func single(_ p: [Unicode.Scalar], _ pi: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        switch p[pi] {
        case "?": return (true, pi + 1)
        case "[":
            var i = pi + 1
            var negate = false
            if i < p.count, p[i] == "!" || p[i] == "^" { negate = true; i += 1 }
            var matched = false
            var first = true
            while i < p.count, p[i] != "]" || first {
                first = false
                if i + 2 < p.count, p[i + 1] == "-", p[i + 2] != "]" {
                    if p[i] <= c && c <= p[i + 2] { matched = true }
                    i += 3
                } else {
                    if p[i] == c { matched = true }
                    i += 1
                }
            }
            return (matched != negate, i + 1)
        default:
            return (p[pi] == c, pi + 1)
        }
    }
}
