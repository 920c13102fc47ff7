/// A set of Unicode scalars as sorted, non-overlapping, non-adjacent closed ranges.
struct RegexCharacterSet: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<UInt32>]

    init(_ ranges: [ClosedRange<UInt32>]) {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1, last.upperBound != .max {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    static let maximumScalar: UInt32 = 0x10FFFF
    static let digits = RegexCharacterSet([48...57])
    static let word = RegexCharacterSet([48...57, 65...90, 95...95, 97...122])
    /// RE2's `\s`: tab, newline, form feed, carriage return and space.
    static let space = RegexCharacterSet([9...10, 12...13, 32...32])

    func contains(_ scalar: UInt32) -> Bool {
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if scalar < range.lowerBound {
                high = middle - 1
            } else if scalar > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    func union(_ other: RegexCharacterSet) -> RegexCharacterSet {
        RegexCharacterSet(ranges + other.ranges)
    }

    func inverted() -> RegexCharacterSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound + 1
        }
        if next <= Self.maximumScalar { result.append(next...Self.maximumScalar) }
        return RegexCharacterSet(result)
    }
}
