import MedicCore
import SystemdBus

/// Finds which required unit failed when a unit's start job ended with result `dependency`: the first
/// unit among its Requires=, Requisite= and BindsTo= that is failed now, with how it failed.
enum DependencyLookup {
    static let requirementProperties: Set<String> = ["Requires", "Requisite", "BindsTo"]

    static func failure(of unit: String, path: String?, manager: SystemdManager, at now: Double) async -> DependencyFailure {
        var found = DependencyFailure(unit: nil, reason: nil, at: now)
        do {
            guard let path = try await resolvedPath(unit, path, manager) else { return found }
            let properties = try await manager.properties(of: path, keeping: requirementProperties)
            let required = ["Requires", "Requisite", "BindsTo"].flatMap { properties[$0]?.strings ?? [] }
            for name in required {
                guard let depPath = try await manager.loadedUnitPath(name),
                      let dependency = UnitSnapshot(properties: try await manager.properties(of: depPath, keeping: UnitSnapshot.healthProperties.union(UnitSnapshot.controlCommandProperties)))
                else { continue }
                if dependency.activeState == "failed" {
                    found.unit = name
                    found.reason = FailureDescription.describe(dependency)
                    return found
                }
            }
        } catch {
            return found  // which one is not known; that a dependency failed still is
        }
        return found
    }

    private static func resolvedPath(_ unit: String, _ path: String?, _ manager: SystemdManager) async throws(BusError) -> String? {
        if let path { return path }
        return try await manager.loadedUnitPath(unit)
    }
}
