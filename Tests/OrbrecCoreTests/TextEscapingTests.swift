import OrbrecCore
import OrbrecTestSupport
import PropertyBased
import Testing

@Suite struct TextEscapingTests {
    @Test func controlsBecomeVisibleEscapes() {
        #expect(TextEscaping.escapingControls("x\r\u{1B}[2K  + submit 999 task(s) FAKE") == "x\\r\\e[2K  + submit 999 task(s) FAKE")
        #expect(TextEscaping.escapingControls("a\0b\u{7}c\u{85}") == "a\\0b\\u{07}c\\u{85}")
        #expect(TextEscaping.escapingControls("one\ntwo\tthree") == "one\\ntwo\\tthree")
        #expect(TextEscaping.escapingControls("one\ntwo\tthree", keepingLines: true) == "one\ntwo\tthree")
        #expect(TextEscaping.escapingControls("plain ünïcode ✓") == "plain ünïcode ✓")
    }

    @Test func quotedIsCutToItsLimit() {
        #expect(TextEscaping.quoted(String(repeating: "k", count: 500), limit: 10) == "kkkkkkkkkk…")
        #expect(TextEscaping.quoted("short") == "short")
    }

    @Test func noControlSurvivesEscaping() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...0x3FF).array(of: 0...40)) { values in
            let text = String(String.UnicodeScalarView(values.compactMap(Unicode.Scalar.init)))
            let escaped = TextEscaping.escapingControls(text)
            #expect(!escaped.unicodeScalars.contains(where: TextEscaping.isControl))
        }
    }
}

@Suite struct TaskKeyPathTests {
    @Test func keysBecomeOneSafeComponent() {
        #expect(TaskKeyPath.component("a=1,b=2") == "a=1,b=2")
        #expect(TaskKeyPath.component("bad key/with space") == "bad%20key%2Fwith%20space")
        #expect(TaskKeyPath.component(".hidden") == "%2Ehidden")
        #expect(TaskKeyPath.component("..") == "%2E.")
        #expect(TaskKeyPath.component("") == "%")
        #expect(TaskKeyPath.component("é") == "%C3%A9")
    }

    @Test func theLengthIsTheComponentsWithoutBuildingIt() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...0x3FF).array(of: 0...60)) { values in
            let key = String(String.UnicodeScalarView(values.compactMap(Unicode.Scalar.init)))
            #expect(TaskKeyPath.componentLength(key) == TaskKeyPath.component(key).utf8.count)
            #expect(!TaskKeyPath.component(key).contains("/"))
        }
    }
}
