/// One row of the manager's ListUnits reply.
public struct ListedUnit: Sendable, Equatable {
    public var name: String
    public var description: String
    public var loadState: String
    public var activeState: String
    public var subState: String
    public var objectPath: String
    /// Non-zero while a job is queued for the unit.
    public var jobID: UInt32
    public var jobType: String

    public init(name: String, description: String, loadState: String, activeState: String, subState: String, objectPath: String, jobID: UInt32 = 0, jobType: String = "") {
        self.name = name
        self.description = description
        self.loadState = loadState
        self.activeState = activeState
        self.subState = subState
        self.objectPath = objectPath
        self.jobID = jobID
        self.jobType = jobType
    }

    /// Reads `a(ssssssouso)` rows straight from the reply, without the generic value detour.
    static func readAll(_ reader: borrowing BusMessageReader) throws(BusError) -> [ListedUnit] {
        guard case .array(let rows)? = try reader.readNext() else {
            throw BusError(operation: "ListUnits reply is not an array", errno: 74)
        }
        var units: [ListedUnit] = []
        units.reserveCapacity(rows.count)
        for row in rows {
            guard let fields = row.structure, fields.count >= 10,
                  let name = fields[0].string, let path = fields[6].string
            else { throw BusError(operation: "ListUnits row has an unexpected shape", errno: 74) }
            units.append(ListedUnit(
                name: name,
                description: fields[1].string ?? "",
                loadState: fields[2].string ?? "",
                activeState: fields[3].string ?? "",
                subState: fields[4].string ?? "",
                objectPath: path,
                jobID: UInt32(truncatingIfNeeded: fields[7].int64 ?? 0),
                jobType: fields[8].string ?? ""
            ))
        }
        return units
    }
}
