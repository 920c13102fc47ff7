/// One step of a compiled pattern, in the style of Thompson's construction (Pike VM).
enum RegexInstruction: Sendable {
    case scalar(UInt32)
    case anyExceptNewline
    case set(RegexCharacterSet)
    /// Try both targets; the order is irrelevant because only existence of a match matters.
    case split(Int, Int)
    case jump(Int)
    case assertStart
    case assertEnd
    case match
}
