/// A shell-style glob over resource names and label values: `*` (any run), `?` (one
/// character), `[abc]`, `[a-z]`, `[!a]`. Matching is linear in practice: names are at most
/// 63 characters and the backtracking below only ever resumes at the last `*`.
public struct NameGlob: Hashable, Sendable {
    public let pattern: String
    private let elements: [Element]

    private enum Element: Hashable, Sendable {
        case literal(Character)
        case any
        case star
        case set([ClosedRange<Character>], negated: Bool)
    }

    public init(_ pattern: String) {
        self.pattern = pattern
        var elements: [Element] = []
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*": elements.append(.star)
            case "?": elements.append(.any)
            case "[":
                if let (set, next) = Self.parseSet(characters, from: index + 1) {
                    elements.append(set)
                    index = next
                    continue
                }
                elements.append(.literal("["))
            default: elements.append(.literal(character))
            }
            index += 1
        }
        self.elements = elements
    }

    private static func parseSet(_ characters: [Character], from start: Int) -> (Element, Int)? {
        var index = start
        var negated = false
        if index < characters.count, characters[index] == "!" || characters[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Character>] = []
        var first = true
        while index < characters.count {
            let character = characters[index]
            if character == "]" && !first { return (.set(ranges, negated: negated), index + 1) }
            first = false
            if index + 2 < characters.count, characters[index + 1] == "-", characters[index + 2] != "]" {
                let upper = characters[index + 2]
                if character <= upper { ranges.append(character...upper) }
                index += 3
            } else {
                ranges.append(character...character)
                index += 1
            }
        }
        return nil
    }

    public func matches(_ text: String) -> Bool {
        let characters = Array(text)
        var textIndex = 0, elementIndex = 0
        var resumeElement = -1, resumeText = 0
        while textIndex < characters.count {
            if elementIndex < elements.count {
                switch elements[elementIndex] {
                case .star:
                    resumeElement = elementIndex
                    resumeText = textIndex
                    elementIndex += 1
                    continue
                case .any:
                    textIndex += 1
                    elementIndex += 1
                    continue
                case .literal(let character) where character == characters[textIndex]:
                    textIndex += 1
                    elementIndex += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains { $0.contains(characters[textIndex]) } != negated:
                    textIndex += 1
                    elementIndex += 1
                    continue
                default: break
                }
            }
            guard resumeElement >= 0 else { return false }
            elementIndex = resumeElement + 1
            resumeText += 1
            textIndex = resumeText
        }
        while elementIndex < elements.count, elements[elementIndex] == .star { elementIndex += 1 }
        return elementIndex == elements.count
    }
}
