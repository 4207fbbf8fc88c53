import MedicCore

/// What a `UnitWatcher` reports to its consumer.
public enum WatchEvent: Sendable {
    /// The first snapshot is in and signals are flowing; `units` is how many are watched. Units listed
    /// by pattern may still have their details pending (see `settled`).
    case ready(units: Int)
    /// Every unit of the first snapshot has its details, so every one of them has been `observed`:
    /// from here on the picture is complete (what `reconnected` also says).
    case settled(units: Int)
    /// A unit changed health class.
    case transition(HealthTransition)
    /// A unit's latest state and verdict, after every update and for every unit of every snapshot;
    /// consumers that keep a timeline drop repeats themselves.
    case observed(UnitHealth)
    /// The connection to the manager was lost; the watcher is reconnecting.
    case connectionLost(reason: String)
    /// Connected again; transitions that happened meanwhile have been reported.
    case reconnected(units: Int)
    /// systemd unloaded a watched unit (it no longer exists); Medic forgets it.
    case removed(String)
    /// Something systemd sent could not be read; watching goes on.
    case warning(String)
}
