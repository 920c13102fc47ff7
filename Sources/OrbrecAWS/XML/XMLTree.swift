public import Foundation
internal import FoundationXML

/// A small element tree of an EC2 answer, enough to read it by path. Built with the system
/// XML parser; namespaces are dropped from names, as EC2 uses one default namespace.
public final class XMLTree: @unchecked Sendable {
    public let name: String
    public private(set) var text: String = ""
    public private(set) var children: [XMLTree] = []

    init(name: String) { self.name = name }

    /// The first child named `name`.
    public subscript(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child named `name`.
    public func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Follows `path` (`instancesSet/item`) and returns every element at its end.
    public func elements(_ path: String) -> [XMLTree] {
        path.split(separator: "/").reduce([self]) { nodes, step in nodes.flatMap { $0.all(String(step)) } }
    }

    /// The trimmed text at `path`, or nil.
    public func value(_ path: String) -> String? {
        elements(path).first.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    public static func parse(_ data: Data) -> XMLTree? {
        let parser = XMLParser(data: data)
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse() else { return nil }
        return builder.root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLTree?
        var stack: [XMLTree] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let node = XMLTree(name: local)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }
    }
}
