/// The kinds of systemd units, from the suffix of a unit name.
public enum UnitType: String, Sendable, CaseIterable {
    case service, socket, target, device, mount, automount, swap, timer, path, slice, scope

    /// The type named by a unit name's suffix, e.g. `.service`; nil when the suffix is not a unit type.
    public init?(unitName: String) {
        guard let dot = unitName.lastIndex(of: ".") else { return nil }
        self.init(rawValue: String(unitName[unitName.index(after: dot)...]))
    }
}
