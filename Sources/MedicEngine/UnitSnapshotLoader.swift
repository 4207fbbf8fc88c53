import MedicCore
import SystemdBus

/// Reads the current state of the units selected by patterns: ListUnitsByPatterns for globs (and
/// everything when there are no patterns), LoadUnit for plain names (so a missing unit is reported as
/// not-found), then every unit's properties, with many calls in flight at once.
public struct UnitSnapshotLoader: Sendable {
    public var patterns: [UnitPattern]
    public var clock: WallClock
    /// How many GetAll calls are in flight at once.
    public var concurrency = 64

    public init(patterns: [UnitPattern], clock: WallClock = .system) {
        self.patterns = patterns
        self.clock = clock
    }

    /// One loaded unit with the object path Medic got it from.
    public struct Loaded: Sendable {
        public var path: String
        public var snapshot: UnitSnapshot
    }

    public func load(from manager: SystemdManager) async throws(BusError) -> [Loaded] {
        let located = try await locate(from: manager)
        return try await properties(of: located.listed.map(\.objectPath) + located.loaded, from: manager)
    }

    /// The selected units: those the manager lists for the globs (every loaded unit when there are no
    /// patterns), and the object paths of the plain names it does not list, loaded (so that a missing
    /// unit is reported as not-found).
    public func locate(from manager: SystemdManager) async throws(BusError) -> (listed: [ListedUnit], loaded: [String]) {
        var listed: [ListedUnit] = []
        var names: Set<String> = []
        let globs = patterns.filter(\.isGlob).map(\.text)
        if patterns.isEmpty || !globs.isEmpty {
            for unit in try await manager.listUnits(matching: globs) where names.insert(unit.name).inserted { listed.append(unit) }
        }
        var loaded: [String] = []
        for pattern in patterns where !pattern.isGlob && names.insert(pattern.text).inserted {
            loaded.append(try await manager.loadUnit(pattern.text))
        }
        return (listed, loaded)
    }

    /// Reads the snapshots of units by object path; units that vanished meanwhile are left out.
    public func properties(of paths: [String], from manager: SystemdManager) async throws(BusError) -> [Loaded] {
        let clock = self.clock
        let outcome: Result<[Loaded], BusError> = await withTaskGroup(of: Result<Loaded?, BusError>.self) { group in
            var results: [Loaded] = []
            var failure: BusError?
            var next = paths.startIndex
            func schedule() {
                guard next < paths.endIndex else { return }
                let path = paths[next]
                next += 1
                group.addTask {
                    do throws(BusError) {
                        let properties = try await manager.properties(of: path, keeping: UnitSnapshot.healthProperties)
                        return .success(UnitSnapshot(properties: properties, clock: clock).map { Loaded(path: path, snapshot: $0) })
                    } catch where error.name == "org.freedesktop.DBus.Error.UnknownObject" {
                        return .success(nil)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<concurrency { schedule() }
            for await result in group {
                switch result {
                case .success(let loaded?): results.append(loaded)
                case .success(nil): break
                case .failure(let error): failure = failure ?? error
                }
                schedule()
            }
            if let failure { return .failure(failure) }
            return .success(results)
        }
        return try await withControlDetail(try outcome.get(), from: manager)
    }

    /// Reads the control commands of the units whose failure their main process does not explain
    /// (rare, so not part of every read), to name the command that failed.
    public func withControlDetail(_ loaded: [Loaded], from manager: SystemdManager) async throws(BusError) -> [Loaded] {
        var result = loaded
        for index in result.indices where result[index].snapshot.failureIsInControlCommand && result[index].snapshot.controlFailure == nil {
            do {
                let properties = try await manager.properties(of: result[index].path, keeping: UnitSnapshot.controlCommandProperties)
                result[index].snapshot.apply(properties, clock: clock)
            } catch where error.name == "org.freedesktop.DBus.Error.UnknownObject" {
                continue
            }
        }
        return result
    }
}
