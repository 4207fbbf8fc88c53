import Foundation

/// A memory cgroup of its own for one process the bench starts, so that its memory can be read as
/// the kernel charges it: what systemd reports as a unit's `MemoryCurrent` (memory.current on
/// cgroup v2, memory.usage_in_bytes on v1). Nil where the bench cannot make one (no memory
/// controller it may write to); the figure is then left out.
struct MemoryCgroup {
    let directory: String
    /// The file a process writes its PID into to join.
    var procs: String { directory + "/cgroup.procs" }

    init?(name: String) {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        var candidates: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[1].split(separator: ",").contains("memory") { candidates.append("/sys/fs/cgroup/memory" + fields[2]) }
            if fields[0] == "0" && fields[1].isEmpty { candidates.append("/sys/fs/cgroup" + fields[2]) }
        }
        for parent in candidates {
            let directory = (parent.hasSuffix("/") ? parent : parent + "/") + "medic-bench-\(name)"
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            if Self.usage(in: directory) != nil {
                self.directory = directory
                return
            }
            _ = rmdir(directory)
        }
        return nil
    }

    /// The memory charged to the cgroup, in MiB.
    var currentMiB: Double? { Self.usage(in: directory).map { Double($0) / 1_048_576 } }

    private static func usage(in directory: String) -> UInt64? {
        for file in ["memory.current", "memory.usage_in_bytes"] {
            if let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8),
               let bytes = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return bytes }
        }
        return nil
    }

    /// The command, run so that it joins the cgroup before it starts (everything it ever charges is counted).
    func wrap(_ argv: [String]) -> [String] {
        ["/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", procs] + argv
    }

    /// Removes the cgroup once its processes have ended.
    func remove() {
        _ = rmdir(directory)
    }
}
