import OrbrecCore
import Testing

@Suite("Expression static checks")
struct ExpressionSchemaTests {
    private func typeError(_ source: String, schema: ExpressionSchema = ExpressionFixtures.fleetSchema) -> ExpressionError? {
        do {
            _ = try PolicyExpression(parsing: source, schema: schema)
            return nil
        } catch {
            return error
        }
    }

    @Test func suggestsFieldForTypoOnClosedObject() {
        let error = typeError("spec.cuont > 1")
        #expect(error == ExpressionError(
            code: ExpressionCode.type, message: "no field 'cuont' in Fleet spec; did you mean 'count'?", offset: 5
        ))
    }

    @Test func suggestsRootIdentifier() {
        let error = typeError("spce.count")
        #expect(error?.message == "unknown identifier 'spce'; did you mean 'spec'?")
        #expect(error?.offset == 0)
    }

    @Test func unknownIdentifierWithoutCloseMatch() {
        #expect(typeError("zzzzzz")?.message == "unknown identifier 'zzzzzz'")
    }

    @Test func comparesKnownTypesStatically() {
        #expect(typeError("spec.image > 1") == ExpressionError(
            code: ExpressionCode.type, message: "'>' cannot compare string and int", offset: 11
        ))
    }

    @Test func hasAlsoChecksClosedFields() {
        #expect(typeError("has(spec.imgae)")?.message == "no field 'imgae' in Fleet spec; did you mean 'image'?")
    }

    @Test func openObjectsAndMapsDeferToRuntime() throws {
        #expect(typeError("metadata.anything == 1") == nil)
        #expect(typeError("spec.labels.anything == 'x'") == nil)
        let expression = try PolicyExpression(parsing: "metadata.owner", schema: ExpressionFixtures.fleetSchema)
        #expect(throws: ExpressionError(code: ExpressionCode.runtime, message: "no such key 'owner'", offset: 9)) {
            try expression.evaluate(ExpressionFixtures.bindings)
        }
    }

    @Test func macroVariablesTakeElementTypes() {
        #expect(typeError("spec.tags.all(t, t.startsWith('g'))") == nil)
        #expect(typeError("spec.labels.all(k, k.size() > 0)") == nil)
        #expect(typeError("[1, 2].exists(x, x.startsWith('a'))")?.message == "'startsWith' is not a method of int")
        #expect(typeError("spec.tags.filter(t, t)")?.message == "filter() predicate must be bool, got string")
    }

    @Test func infersResultTypes() throws {
        let schema = ExpressionFixtures.fleetSchema
        #expect(try PolicyExpression(parsing: "spec.count + 1", schema: schema).resultType == .int)
        #expect(try PolicyExpression(parsing: "spec.count * spec.ratio", schema: schema).resultType == .double)
        #expect(try PolicyExpression(parsing: "spec.tags.map(t, t.size())", schema: schema).resultType == .list(.int))
        #expect(try PolicyExpression(parsing: "[1, 'a']").resultType == .list(.dyn))
        #expect(try PolicyExpression(parsing: "spec.count").resultType == .dyn)
        #expect(try PolicyExpression(parsing: "spec.count > 1 ? 'a' : 'b'", schema: schema).resultType == .string)
    }

    @Test func reportsLineAndColumnInMultilineSource() {
        let source = "spec.count > 1 &&\n  spec.image.bogus()"
        guard let error = typeError(source) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.code == ExpressionCode.syntax)
        #expect(error.message == "unknown method 'bogus'")
        #expect(error.position(in: source) == (line: 2, column: 14))
        #expect(ExpressionError(code: "x", message: "", offset: 0).position(in: source) == (line: 1, column: 1))
    }
}
