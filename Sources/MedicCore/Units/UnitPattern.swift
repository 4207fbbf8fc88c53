/// A unit name or shell-style glob (`*`, `?`, `[...]`) selecting units, validated against systemd's
/// unit name grammar so that a typo is an error instead of silently matching nothing.
public struct UnitPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as matched, with `.service` added to a bare name as systemctl does.
    public let text: String
    /// True when the pattern has glob characters; a plain name names exactly one unit.
    public let isGlob: Bool

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
        isGlob = raw.contains { "*?[".contains($0) }
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

    public var description: String { text }

    /// Whether `name` matches, with fnmatch(3) semantics as systemd uses them (FNM_NOESCAPE: '\\' is a literal, as in escaped unit names).
    /// Asked for every signal and every protection check, so it allocates nothing for the ASCII
    /// names systemd uses: a plain name is compared as it is, a glob walks the UTF-8 bytes.
    public func matches(_ name: String) -> Bool {
        if !isGlob { return text.utf8.elementsEqual(name.utf8) }
        let matched = name.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return text.utf8.withContiguousStorageIfAvailable { pattern in Self.glob(pattern, bytes, Self.byteSymbols) } ?? nil
        } ?? nil
        return matched ?? Self.glob(Array(text.unicodeScalars), Array(name.unicodeScalars), Self.scalarSymbols)
    }

    /// True when `patterns` is empty (everything) or any pattern matches.
    public static func any(_ patterns: [UnitPattern], match name: String) -> Bool {
        patterns.isEmpty || patterns.contains { $0.matches(name) }
    }

    /// The characters with a meaning in a glob, as bytes or as Unicode scalars.
    private struct GlobSymbols<Element: Sendable>: Sendable {
        let star, question, open, close, bang, caret, dash: Element
    }

    private static let byteSymbols = GlobSymbols<UInt8>(star: UInt8(ascii: "*"), question: UInt8(ascii: "?"), open: UInt8(ascii: "["), close: UInt8(ascii: "]"),
                                                        bang: UInt8(ascii: "!"), caret: UInt8(ascii: "^"), dash: UInt8(ascii: "-"))
    private static let scalarSymbols = GlobSymbols<Unicode.Scalar>(star: "*", question: "?", open: "[", close: "]", bang: "!", caret: "^", dash: "-")

    private static func glob<C: RandomAccessCollection>(_ p: C, _ s: C, _ symbols: GlobSymbols<C.Element>) -> Bool where C.Index == Int, C.Element: Comparable {
        var pi = p.startIndex, si = s.startIndex
        var starP = -1, starS = 0
        while si < s.endIndex {
            if pi < p.endIndex, p[pi] == symbols.star {
                starP = pi; starS = si; pi += 1
                continue
            }
            if pi < p.endIndex, let (matched, next) = single(p, pi, s[si], symbols), matched {
                pi = next; si += 1
                continue
            }
            guard starP >= 0 else { return false }
            pi = starP + 1; starS += 1; si = starS
        }
        while pi < p.endIndex, p[pi] == symbols.star { pi += 1 }
        return pi == p.endIndex
    }

    /// Matches one pattern element at `pi` against `c`; returns whether it matched and the next index.
    private static func single<C: RandomAccessCollection>(_ p: C, _ pi: Int, _ c: C.Element, _ symbols: GlobSymbols<C.Element>) -> (Bool, Int)? where C.Index == Int, C.Element: Comparable {
        switch p[pi] {
        case symbols.question: return (true, pi + 1)
        case symbols.open:
            var i = pi + 1
            var negate = false
            if i < p.endIndex, p[i] == symbols.bang || p[i] == symbols.caret { negate = true; i += 1 }
            var matched = false
            var first = true
            while i < p.endIndex, p[i] != symbols.close || first {
                first = false
                if i + 2 < p.endIndex, p[i + 1] == symbols.dash, p[i + 2] != symbols.close {
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
