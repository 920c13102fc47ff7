/// A pattern that does not compile; `offset` counts Unicode scalars into the pattern.
struct RegexSyntaxError: Error, Sendable, Equatable {
    let message: String
    let offset: Int
}
