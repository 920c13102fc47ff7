/// Parsed pattern. Groups leave no trace because `matches` only answers yes or no.
indirect enum RegexNode: Sendable {
    case empty
    case scalar(UInt32)
    case anyExceptNewline
    case set(RegexCharacterSet)
    case startOfText
    case endOfText
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `maximum == nil` means unbounded.
    case repetition(RegexNode, minimum: Int, maximum: Int?)

    /// True when every match must begin at offset 0, which lets the matcher stop early.
    var isAnchoredAtStart: Bool {
        switch self {
        case .startOfText: true
        case .concatenation(let items): items.first?.isAnchoredAtStart ?? false
        case .alternation(let branches): branches.allSatisfy(\.isAnchoredAtStart)
        default: false
        }
    }
}
