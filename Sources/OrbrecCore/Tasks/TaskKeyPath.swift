/// How a task key becomes one path component of its attempts' files (`…/<pool>/<component>/`):
/// letters, digits, `-`, `_`, `=`, `,` and a `.` after the first byte stay; every other byte
/// becomes `%XX`. Any key is then one safe component, and two keys never share one.
public enum TaskKeyPath {
    /// The longest file name Linux file systems take (NAME_MAX): a key whose component is
    /// longer could never have its output directory made.
    public static let maxComponentBytes = 255

    public static func component(_ key: String) -> String {
        var escaped = ""
        for byte in key.utf8 {
            if isKept(byte, first: escaped.isEmpty) {
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                escaped += "%" + hexDigits(byte)
            }
        }
        return escaped.isEmpty ? "%" : escaped
    }

    /// The byte length of `component(key)`, without building it.
    public static func componentLength(_ key: String) -> Int {
        var length = 0
        for byte in key.utf8 { length += isKept(byte, first: length == 0) ? 1 : 3 }
        return max(length, 1)
    }

    private static func isKept(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="), UInt8(ascii: ","):
            return true
        case UInt8(ascii: "."):
            return !first
        default:
            return false
        }
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
