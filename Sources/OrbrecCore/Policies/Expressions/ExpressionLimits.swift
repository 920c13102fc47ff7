/// Parse-time caps. Together with the evaluation budget they bound both time and stack use:
/// every recursive walk of the syntax tree is at most `maximumDepth` levels deep.
enum ExpressionLimits {
    static let maximumSourceLength = 8_192
    static let maximumDepth = 64
    static let defaultBudget = 100_000
}
