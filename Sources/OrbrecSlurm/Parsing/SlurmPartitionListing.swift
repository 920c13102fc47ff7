public import OrbrecCore

/// Partitions from `sinfo --all --noheader --format=...`: sinfo prints one row per partition
/// and node state (and memory and CPU layout), so a partition may span several rows; its
/// rows are summed here. Pure: fixture tests feed it captured output.
public enum SlurmPartitionListing {
    /// Name, name with `*` on the default, availability, time limit, node count, node state,
    /// CPUs allocated/idle/other/total, memory per node (MB, `+` when it varies).
    public static let format = "%R|%P|%a|%l|%D|%T|%C|%m"
    static let columns = 8

    public static var argv: [String] { ["sinfo", "--all", "--noheader", "--format=\(format)"] }

    public struct Result: Hashable, Sendable {
        public var partitions: [QueuePartition]
        public var problems: [SlurmParseProblem]
    }

    public static func parse(_ text: String) -> Result {
        var order: [String] = []
        var byName: [String: QueuePartition] = [:]
        var problems: [SlurmParseProblem] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            guard !trimmed.allSatisfy(\.isWhitespace) else { continue }
            let fields = trimmed.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            func problem(_ message: String) { problems.append(SlurmParseProblem(line: index + 1, text: String(trimmed), message: message)) }
            guard fields.count == columns else {
                problem("expected \(columns) fields separated by |, found \(fields.count)")
                continue
            }
            let name = fields[0]
            guard !name.isEmpty else {
                problem("no partition name")
                continue
            }
            guard let count = SlurmTime.number(Substring(fields[4])) else {
                problem("node count '\(fields[4])' is not a number")
                continue
            }
            let cpus = fields[6].split(separator: "/", omittingEmptySubsequences: false).map(SlurmTime.number)
            guard cpus.count == 4, !cpus.contains(nil) else {
                problem("CPUs '\(fields[6])' are not allocated/idle/other/total")
                continue
            }
            var partition = byName[name] ?? QueuePartition(
                name: name, state: state(fields[2]), isDefault: fields[1].hasSuffix("*"), timeLimit: SlurmTime.parse(fields[3]))
            if byName[name] == nil { order.append(name) }
            add(count, of: fields[5], to: &partition.nodes)
            let values = cpus.compactMap { $0 }
            partition.cpus.allocated = QueueCount.sum([partition.cpus.allocated, values[0]])
            partition.cpus.idle = QueueCount.sum([partition.cpus.idle, values[1]])
            partition.cpus.other = QueueCount.sum([partition.cpus.other, values[2]])
            partition.cpus.total = QueueCount.sum([partition.cpus.total, values[3]])
            let memoryText = fields[7]
            if let memory = SlurmTime.number(Substring(memoryText.hasSuffix("+") ? String(memoryText.dropLast()) : memoryText)) {
                if let known = partition.memoryMB, known != memory { partition.memoryVaries = true }
                partition.memoryMB = min(partition.memoryMB ?? memory, memory)
                if memoryText.hasSuffix("+") { partition.memoryVaries = true }
            }
            byName[name] = partition
        }
        return Result(partitions: order.compactMap { byName[$0] }, problems: problems)
    }

    /// `%a`: `up`, `down`, `drain`, `inact` (sinfo's short form) or `inactive`.
    static func state(_ text: String) -> QueuePartition.State {
        switch text.lowercased() {
        case "up": .up
        case "down": .down
        case "drain": .drain
        case "inact", "inactive": .inactive
        default: .unknown
        }
    }

    /// `%T`: a node state in full (`idle`, `allocated`, `mixed`, `drained`, ...) with Slurm's
    /// flags after it; `*` (not responding) makes any node down.
    static func add(_ count: Int, of text: String, to nodes: inout QueuePartition.Nodes) {
        let flags: Set<Character> = ["*", "~", "#", "!", "%", "$", "@", "^", "-"]
        let word = String(text.lowercased().reversed().drop { flags.contains($0) }.reversed())
        if text.hasSuffix("*") && !word.isEmpty {
            nodes.down = QueueCount.sum([nodes.down, count])
            return
        }
        switch word {
        case "idle": nodes.idle = QueueCount.sum([nodes.idle, count])
        case "allocated", "alloc", "completing", "comp": nodes.allocated = QueueCount.sum([nodes.allocated, count])
        case "mixed", "mix": nodes.mixed = QueueCount.sum([nodes.mixed, count])
        case "down", "fail", "failing", "fail+": nodes.down = QueueCount.sum([nodes.down, count])
        case "drained", "draining", "drain", "drng": nodes.drained = QueueCount.sum([nodes.drained, count])
        default: nodes.other = QueueCount.sum([nodes.other, count])
        }
    }
}
