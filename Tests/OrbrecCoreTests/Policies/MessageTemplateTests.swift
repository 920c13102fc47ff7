import OrbrecCore
import Testing

@Suite("Message templates")
struct MessageTemplateTests {
    private let bindings = ExpressionFixtures.bindings

    @Test func rendersPlaceholders() throws {
        let template = try MessageTemplate(parsing: "fleet {{ metadata.name }} asks for {{ spec.count }} machines")
        #expect(template.render(bindings) == "fleet web asks for 3 machines")
    }

    @Test func rendersValuesInLiteralSyntax() throws {
        let template = try MessageTemplate(parsing: #"{{ spec.tags }} {{ spec.ratio }} {{ {"b": 1, "a": [true, null]} }} {{ 2.0 }}"#)
        #expect(template.render(bindings) == #"["gpu", "spot"] 0.5 {"a": [true, null], "b": 1} 2.0"#)
    }

    @Test func failedPlaceholderRendersTheError() throws {
        let template = try MessageTemplate(parsing: "owner: {{ metadata.owner }}, count: {{ spec.count }}")
        #expect(template.render(bindings) == "owner: <error: no such key 'owner'>, count: 3")
    }

    @Test func textWithoutPlaceholdersIsUnchanged() throws {
        #expect(try MessageTemplate(parsing: "plain } text }}").render([:]) == "plain } text }}")
        #expect(try MessageTemplate(parsing: "").render([:]) == "")
    }

    @Test func unterminatedPlaceholderIsASyntaxError() {
        #expect(throws: ExpressionError(code: ExpressionCode.syntax, message: "'{{' has no matching '}}'", offset: 6)) {
            try MessageTemplate(parsing: "hello {{ spec.count")
        }
    }

    @Test func errorOffsetsCountFromTheTemplateStart() {
        #expect(throws: ExpressionError(code: ExpressionCode.syntax, message: "unexpected end of expression", offset: 11)) {
            try MessageTemplate(parsing: "abc {{ 1 + }}")
        }
        #expect(throws: ExpressionError(code: ExpressionCode.type, message: "'+' is not defined for int and string", offset: 7)) {
            try MessageTemplate(parsing: "x {{ 1 + 'a' }}")
        }
        #expect(throws: ExpressionError(code: ExpressionCode.syntax, message: "empty placeholder", offset: 2)) {
            try MessageTemplate(parsing: "a {{  }}")
        }
    }

    @Test func bracesInsideStringsAndMapsDoNotClose() throws {
        let template = try MessageTemplate(parsing: #"{{ "}}" + '{{' }} {{ {"a": {"b": 1}}.a.b }}"#)
        #expect(template.render([:]) == "}}{{ 1")
    }

    @Test func checksAgainstTheSchema() {
        #expect(throws: ExpressionError.self) {
            try MessageTemplate(parsing: "{{ spec.cuont }}", schema: ExpressionFixtures.fleetSchema)
        }
    }

    @Test func placeholdersShareOneBudget() throws {
        let template = try MessageTemplate(parsing: "{{ big.filter(x, x < 2) }} then {{ big.filter(x, x < 2) }}")
        let rendered = template.render(bindings, budget: 6_000)
        #expect(rendered == "[0, 1] then <error: evaluation cost exceeded 6000 steps>")
    }
}
