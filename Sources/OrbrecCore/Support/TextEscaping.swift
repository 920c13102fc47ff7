/// Text from users (task keys, names, messages a provider returned) shown where a control
/// character would act instead of show: a terminal (CR, ESC repaint lines), a log line (a
/// newline forges another). Control characters become visible escapes.
public enum TextEscaping {
    /// `\r`, `\n`, `\t`, `\e`, `\0` and `\u{XX}` for the other C0 and C1 controls and DEL.
    /// Line feeds and tabs stay when `keepingLines` (multi-line text for a terminal).
    public static func escapingControls(_ text: String, keepingLines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && !(keepingLines && ($0 == "\n" || $0 == "\t")) }) else {
            return text
        }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar), !(keepingLines && (scalar == "\n" || scalar == "\t")) else {
                result.append(scalar)
                continue
            }
            result.append(contentsOf: escape(scalar).unicodeScalars)
        }
        return String(result)
    }

    /// The text with its controls escaped and cut to `limit` characters (with `…`): for
    /// quoting a user's value inside a message.
    public static func quoted(_ text: String, limit: Int = 200) -> String {
        let escaped = escapingControls(text)
        guard escaped.count > limit else { return escaped }
        return String(escaped.prefix(limit)) + "…"
    }

    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\r": return "\\r"
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\u{1B}": return "\\e"
        case "\0": return "\\0"
        default:
            let digits = Array("0123456789ABCDEF")
            return "\\u{" + String(digits[Int(scalar.value >> 4)]) + String(digits[Int(scalar.value & 0xF)]) + "}"
        }
    }
}
