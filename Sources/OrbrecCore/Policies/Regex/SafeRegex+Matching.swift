extension SafeRegex {
    /// Unanchored search (RE2's partial match). Each live thread at each input position costs
    /// one step of `meter`, so the work is bounded by the expression budget.
    func matches(_ text: String, meter: inout ExpressionCostMeter, at offset: Int) throws(ExpressionError) -> Bool {
        // Reading the input costs as much as any other pass over a string, match or not.
        try meter.charge(forText: text, at: offset)
        let input = text.unicodeScalars.map(\.value)
        var current = RegexThreadList(capacity: program.count)
        var next = RegexThreadList(capacity: program.count)
        var pending: [Int] = []
        for position in 0...input.count {
            if position == 0 || !anchoredAtStart {
                addThread(0, to: &current, at: position, inputCount: input.count, pending: &pending)
            }
            if current.isEmpty {
                if anchoredAtStart { return false }
                continue
            }
            try meter.charge(1 + current.count, at: offset)
            let scalar = position < input.count ? input[position] : nil
            for pc in current.items {
                let advances: Bool
                switch program[pc] {
                case .match:
                    return true
                case .scalar(let expected):
                    advances = scalar == expected
                case .anyExceptNewline:
                    advances = scalar != nil && scalar != 10
                case .set(let set):
                    advances = scalar.map(set.contains) ?? false
                case .split, .jump, .assertStart, .assertEnd:
                    advances = false
                }
                if advances {
                    addThread(pc + 1, to: &next, at: position + 1, inputCount: input.count, pending: &pending)
                }
            }
            swap(&current, &next)
            next.removeAll()
        }
        return false
    }

    /// Follows jumps, splits and assertions from `start` without recursion; the list's
    /// membership test stops empty loops such as `(a*)*` from spinning.
    private func addThread(_ start: Int, to list: inout RegexThreadList, at position: Int, inputCount: Int, pending: inout [Int]) {
        pending.append(start)
        while let pc = pending.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .jump(let target):
                pending.append(target)
            case .split(let first, let second):
                pending.append(second)
                pending.append(first)
            case .assertStart:
                if position == 0 { pending.append(pc + 1) }
            case .assertEnd:
                if position == inputCount { pending.append(pc + 1) }
            case .scalar, .anyExceptNewline, .set, .match:
                break
            }
        }
    }
}

/// The set of program counters alive at one input position: insertion-ordered with O(1)
/// membership and O(1) clearing via a generation stamp.
struct RegexThreadList {
    private(set) var items: [Int] = []
    private var stamps: [Int]
    private var generation = 1

    init(capacity: Int) {
        stamps = [Int](repeating: 0, count: capacity)
        items.reserveCapacity(capacity)
    }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    /// False when `pc` was already present.
    mutating func insert(_ pc: Int) -> Bool {
        guard stamps[pc] != generation else { return false }
        stamps[pc] = generation
        items.append(pc)
        return true
    }

    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        generation += 1
    }
}
