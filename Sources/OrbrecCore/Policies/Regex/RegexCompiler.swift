/// Turns a parsed pattern into a flat program. Counted repeats are expanded, so the program
/// size is capped: `(a{100}){100}` would otherwise become very large.
struct RegexCompiler {
    static let maximumInstructions = 5_000

    private(set) var program: [RegexInstruction] = []

    mutating func compile(_ node: RegexNode) throws(RegexSyntaxError) -> [RegexInstruction] {
        try emit(node)
        try append(.match)
        return program
    }

    private mutating func append(_ instruction: RegexInstruction) throws(RegexSyntaxError) {
        guard program.count < Self.maximumInstructions else {
            throw RegexSyntaxError(message: "pattern is too large after expanding repeats", offset: 0)
        }
        program.append(instruction)
    }

    private mutating func emit(_ node: RegexNode) throws(RegexSyntaxError) {
        switch node {
        case .empty:
            break
        case .scalar(let value):
            try append(.scalar(value))
        case .anyExceptNewline:
            try append(.anyExceptNewline)
        case .set(let set):
            try append(.set(set))
        case .startOfText:
            try append(.assertStart)
        case .endOfText:
            try append(.assertEnd)
        case .concatenation(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            var exits: [Int] = []
            for branch in branches.dropLast() {
                let split = program.count
                try append(.split(split + 1, -1))
                try emit(branch)
                exits.append(program.count)
                try append(.jump(-1))
                program[split] = .split(split + 1, program.count)
            }
            try emit(branches[branches.count - 1])
            for exit in exits { program[exit] = .jump(program.count) }
        case .repetition(let inner, let minimum, let maximum):
            for _ in 0..<minimum { try emit(inner) }
            if let maximum {
                var splits: [Int] = []
                for _ in minimum..<maximum {
                    splits.append(program.count)
                    try append(.split(program.count + 1, -1))
                    try emit(inner)
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                let loop = program.count
                try append(.split(loop + 1, -1))
                try emit(inner)
                try append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}
