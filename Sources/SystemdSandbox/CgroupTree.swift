import Foundation

/// A sandbox's own cgroup subtree, in every cgroup hierarchy systemd uses on this machine
/// (the named `systemd` and `unified` ones on a hybrid layout, the root on a pure cgroup v2 layout).
struct CgroupTree: Sendable {
    let name: String

    /// Hierarchy roots where processes can be moved: those with a `cgroup.procs` at their top.
    static var hierarchies: [String] {
        ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"].filter {
            FileManager.default.fileExists(atPath: $0 + "/cgroup.procs")
        }
    }

    /// Shell lines that move the shell (and so the manager it execs) into the tree; failures are
    /// ignored so a machine without writable cgroups still gets a working, if shared, sandbox.
    static func enterScript(name: String) -> String {
        hierarchies.map { "{ mkdir -p '\($0)/\(name)' && echo $$ > '\($0)/\(name)/cgroup.procs'; } 2>/dev/null; " }.joined()
    }

    /// Every process in the tree, in every hierarchy.
    func processes() -> [Int32] {
        directories().flatMap { directory -> [Int32] in
            let text = (try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { Int32($0) }
        }
    }

    /// Removes the tree's directories, deepest first (a cgroup can only be removed once empty). Killed
    /// processes leave their cgroups a moment after the signal, so it tries again for up to 2 s.
    func remove() {
        for _ in 0..<100 {
            let remaining = directories()
            if remaining.isEmpty { return }
            for directory in remaining.sorted(by: { $0.count > $1.count }) { rmdir(directory) }
            if directories().isEmpty { return }
            for pid in processes() { kill(pid, SIGKILL) }
            usleep(20_000)
        }
    }

    private func directories() -> [String] {
        Self.hierarchies.flatMap { root -> [String] in
            let top = "\(root)/\(name)"
            guard FileManager.default.fileExists(atPath: top) else { return [] }
            var found = [top]
            if let walker = FileManager.default.enumerator(atPath: top) {
                for case let relative as String in walker where FileManager.default.fileExists(atPath: "\(top)/\(relative)/cgroup.procs") {
                    found.append("\(top)/\(relative)")
                }
            }
            return found
        }
    }
}
