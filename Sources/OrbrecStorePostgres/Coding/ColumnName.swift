/// Record properties are camelCase, columns snake_case: the same mapping GRDB's
/// `convertToSnakeCase` makes for the SQLite backend, so both backends share column names.
enum ColumnName {
    static func snakeCase(_ key: String) -> String {
        var result = ""
        result.reserveCapacity(key.count + 4)
        for character in key {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }
}
