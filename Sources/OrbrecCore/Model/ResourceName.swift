/// The rule for `metadata.name`: DNS-label style, like Kubernetes.
public enum ResourceName {
    public static let maxLength = 63

    /// Why `name` is not a valid resource name, or nil when it is.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "name must not be empty" }
        if name.utf8.count > maxLength {
            return "name '\(name)' is \(name.utf8.count) characters long; the limit is \(maxLength)"
        }
        let bytes = Array(name.utf8)
        let isLowerAlnum: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
        for byte in bytes where !(isLowerAlnum(byte) || byte == 0x2D) {
            return "name '\(name)' may contain only lowercase letters, digits and '-'"
        }
        if !isLowerAlnum(bytes[0]) || !isLowerAlnum(bytes[bytes.count - 1]) {
            return "name '\(name)' must start and end with a lowercase letter or digit"
        }
        return nil
    }
}
