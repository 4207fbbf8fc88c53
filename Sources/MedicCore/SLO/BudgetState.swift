/// Where a unit's error budget stands, worst last.
public enum BudgetState: String, Sendable, Codable, Comparable {
    /// No burn-rate rule fires and budget remains.
    case ok
    /// A ticket rule fires (slow burn).
    case warning
    /// A page rule fires (fast burn).
    case breached
    /// No budget remains.
    case exhausted

    var rank: Int {
        switch self {
        case .ok: return 0
        case .warning: return 1
        case .breached: return 2
        case .exhausted: return 3
        }
    }

    public static func < (lhs: BudgetState, rhs: BudgetState) -> Bool { lhs.rank < rhs.rank }

    /// P1 for breached or exhausted, P2 for warning, P3 (information) otherwise.
    public var alertLevel: String {
        switch self {
        case .breached, .exhausted: return "P1"
        case .warning: return "P2"
        case .ok: return "P3"
        }
    }
}
