/// One action of a playbook, each knowing its inverse for rollback.
public enum PlaybookStep: Sendable, Equatable {
    case restart
    case start
    case stop
    case reload
    case resetFailed
    /// Sends a signal to the unit's main process, its control process or all of its processes.
    case kill(signal: Int32, whom: KillTarget)
    /// Changes a unit property at runtime only (undone by a reboot too), capped by `limit`.
    case setProperty(name: String, value: PropertyChange, limit: ResourceAmount?)
    /// Runs a command as an argv list, never through a shell.
    case run(argv: [String], undo: [String]?, timeout: Double, user: String?)
    /// Waits this many seconds.
    case wait(Double)
    /// Tells a person: runs a command, or posts to a webhook.
    case notify(Notification)

    /// Whom `kill` signals, as systemctl kill --kill-whom= names them.
    public enum KillTarget: String, Sendable, Equatable, CaseIterable {
        case main, control, all
    }

    /// Where a notification goes.
    public enum Notification: Sendable, Equatable {
        case command([String])
        case webhook(String)
    }

    /// The action's name as written in playbooks.
    public var action: String {
        switch self {
        case .restart: return "restart"
        case .start: return "start"
        case .stop: return "stop"
        case .reload: return "reload"
        case .resetFailed: return "reset-failed"
        case .kill: return "kill"
        case .setProperty: return "set-property"
        case .run: return "run"
        case .wait: return "wait"
        case .notify: return "notify"
        }
    }

    /// Whether the step changes the unit (and so needs an inverse when rollback is automatic).
    public var changesUnit: Bool {
        switch self {
        case .wait, .notify: return false
        default: return true
        }
    }

    /// Whether rollback can undo it: start and stop undo each other, set-property restores the
    /// value captured before it, run has its `undo`; restart, reload, reset-failed and kill leave
    /// nothing to undo (their effect is the unit's new run).
    public var isUndoable: Bool {
        switch self {
        case .run(_, let undo, _, _): return undo != nil
        default: return true
        }
    }
}
