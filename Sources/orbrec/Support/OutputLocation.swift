/// Where files beside the state were made, as the state records them: `host:path`.
struct OutputLocation: Hashable {
    var host: String
    var directory: String

    init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"), text[text.index(after: colon)...].hasPrefix("/") else { return nil }
        host = String(text[..<colon])
        directory = String(text[text.index(after: colon)...])
    }
}
