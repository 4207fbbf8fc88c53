import MedicCore

/// Formats the status table.
enum StatusTable {
    /// The health column, with its space: rows start with it.
    static let healthWidth = 9

    /// With `budgets` (a history store is present) two SLO columns come before the reason.
    static func lines(_ units: [UnitHealth], budgets: [String: SLOReport]? = nil) -> [String] {
        let nameWidth = min(60, units.map(\.name.count).max() ?? 4)
        let stateWidth = units.map { $0.snapshot.activeState.count + $0.snapshot.subState.count + 1 }.max() ?? 5
        let sloHeader = budgets == nil ? "" : "\("SLO".padded(9)) \("BUDGET".padded(7)) "
        var lines = ["\("HEALTH".padded(9)) \("UNIT".padded(nameWidth)) \("STATE".padded(stateWidth)) \(sloHeader)REASON"]
        for unit in units {
            let state = unit.snapshot.activeState + "/" + unit.snapshot.subState
            var slo = ""
            if let budgets {
                let report = budgets[unit.name]
                let left = report.map { "\(Int($0.remainingPercent.rounded()))%" } ?? "-"
                slo = "\((report?.state.rawValue ?? "-").padded(9)) \(left.padded(7)) "
            }
            lines.append("\(unit.verdict.health.rawValue.padded(9)) \(unit.name.padded(nameWidth)) \(state.padded(stateWidth)) \(slo)\(unit.verdict.reason)")
        }
        return lines
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
