internal import OrbrecCore
internal import Yams

/// `kind: Policy`: rules whose expressions are parsed and type-checked here, so a typo in a
/// condition is reported at its own line and column when the configuration is loaded.
enum PolicyDecoder {
    static let effects = ["deny", "warn"]

    /// The fields each kind's spec may have, for the static checks of `spec.…` paths.
    static let specFields: [ResourceKind: [String]] = [
        .provider: ProviderDecoder.keys,
        .scheduler: SchedulerDecoder.keys,
        .template: TemplateDecoder.keys,
        .fleet: FleetDecoder.keys,
        .taskPool: TaskPoolDecoder.keys,
        .workflow: WorkflowDecoder.keys,
    ]

    static func decode(_ envelope: Envelope, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Policy spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let enforcement = spec.requireValue("enforcement", in: envelope.displayName) != nil
            ? spec.choice("enforcement", as: PolicySpec.Enforcement.self) : nil
        let description = spec.string("description")
        var rules: [PolicyRule] = []
        var valid = true
        var seen: [String: SourceLocation?] = [:]
        if spec.requireValue("rules", in: envelope.displayName) != nil, let rulesNode = spec.value("rules") {
            if case .sequence(let sequence) = rulesNode, !sequence.isEmpty {
                for (index, item) in sequence.enumerated() {
                    // Names are checked as written, so a duplicate is reported even when one of
                    // the two rules has other problems.
                    if case .mapping(let mapping) = item, let nameNode = mapping["name"], let name = nameNode.scalar?.string {
                        let location = context.location(of: nameNode)
                        if let first = seen[name] {
                            context.error("duplicate-name", "duplicate rule name '\(name)' in \(envelope.displayName)"
                                          + (first.map { "; first declared at \($0)" } ?? ""), at: location)
                            valid = false
                        } else {
                            seen[name] = location
                        }
                    }
                    guard let rule = decodeRule(item, index: index, context: context) else {
                        valid = false
                        continue
                    }
                    rules.append(rule)
                }
            } else if case .sequence = rulesNode {
                context.error("invalid-value", "spec.rules must hold at least one rule", at: rulesNode)
                valid = false
            } else {
                context.error("wrong-type", "spec.rules must be a list of rules, not \(rulesNode.foundDescription)", at: rulesNode)
                valid = false
            }
        } else {
            valid = false
        }
        guard valid, let metadata = envelope.metadata, let enforcement else { return nil }
        let policy = PolicySpec(metadata: metadata, enforcement: enforcement, description: description, rules: rules)
        return DecodedResource(spec: .policy(policy), nameLocation: envelope.nameLocation)
    }

    private static func decodeRule(_ node: Node, index: Int, context: DecodeContext) -> PolicyRule? {
        let path = "spec.rules[\(index)]"
        guard let rule = MappingReader(node, path: path, schema: ruleFields, owner: "a policy rule", context: context) else { return nil }
        var valid = true
        let name = rule.requireValue("name", in: "a policy rule") != nil ? rule.string("name") : nil
        if let name, ResourceName.problem(with: name) != nil {
            context.error("invalid-name", "\(path).name '\(name)' must be lowercase letters, digits and '-'", at: rule.value("name"))
            valid = false
        }
        let scope = rule.value("scope") == nil ? .resource : rule.choice("scope", as: PolicyRule.Scope.self)
        if rule.value("scope") != nil && scope == nil { valid = false }
        var match = PolicyRule.Match()
        if let reader = rule.mapping("match", owner: "\(path).match") {
            if scope == .plan {
                context.error("conflicting-fields", "\(path).match does not apply to a plan rule: it sees the whole plan", at: reader.node)
                valid = false
            }
            for (text, location) in reader.scalarList("kinds") ?? [] {
                if let kind = ResourceKind(rawValue: text), kind != .policy {
                    match.kinds.append(kind)
                } else {
                    let names = ResourceKind.allCases.filter { $0 != .policy }.map(\.rawValue)
                    context.error("invalid-value", "\(path).match.kinds: '\(text)' is not a kind a policy can match; expected one of "
                                  + names.joined(separator: ", ") + Suggestion.didYouMean(text, among: names), at: location)
                    valid = false
                }
            }
            match.names = reader.stringList("names") ?? []
            match.labels = reader.stringMap("labels") ?? [:]
        }
        let given = effects.filter { rule.value($0) != nil }
        guard given.count == 1 else {
            if given.isEmpty {
                if effects.contains(where: rule.isExplained) { return nil }
                context.error("missing-field", "\(path) needs a condition: deny or warn", at: node)
            } else {
                context.error("conflicting-fields", "\(path): deny and warn are exclusive; give one", at: rule.value("warn"))
            }
            return nil
        }
        let effect: PolicyRule.Effect = given[0] == "deny" ? .deny : .warn
        let schema: ExpressionSchema = scope == .plan
            ? PolicyPlanFacts.schema
            : PolicyObservedFacts.resourceSchema(kind: match.kinds.count == 1 ? match.kinds[0] : nil,
                                                 specFields: match.kinds.count == 1 ? specFields[match.kinds[0]] : nil)
        var condition: String?
        var conditionSite: ExpressionSite?
        if let text = rule.nonEmptyString(given[0]), let valueNode = rule.value(given[0]), let site = site(of: valueNode, context: context) {
            do throws(ExpressionError) {
                let expression = try PolicyExpression(parsing: text, schema: schema)
                if case let type = expression.resultType, type != .bool && type != .dyn {
                    context.error("expression-type", "\(path).\(given[0]) must give true or false, not \(type.displayName)", at: site.start)
                    valid = false
                }
            } catch {
                context.error(error.code, "\(path).\(given[0]): \(error.message)", at: site.location(of: error))
                valid = false
            }
            condition = text
            conditionSite = site
        } else {
            valid = false
        }
        var message: String?
        var messageSite: ExpressionSite?
        if let text = rule.string("message"), let valueNode = rule.value("message"), let site = site(of: valueNode, context: context) {
            do throws(ExpressionError) {
                _ = try MessageTemplate(parsing: text, schema: schema)
            } catch {
                context.error(error.code, "\(path).message: \(error.message)", at: site.location(of: error))
                valid = false
            }
            message = text
            messageSite = site
        }
        guard valid, let name, let scope, let condition, let conditionSite else { return nil }
        return PolicyRule(name: name, description: rule.string("description"), scope: scope, match: match, effect: effect,
                          condition: condition, conditionSite: conditionSite, message: message, messageSite: messageSite,
                          location: context.location(of: node))
    }

    /// Where an expression's scalar was written, character by character.
    private static func site(of node: Node, context: DecodeContext) -> ExpressionSite? {
        guard case .scalar(let scalar) = node, let start = context.location(of: node) else { return nil }
        return ExpressionSite(start: start, positions: ScalarPositions.of(scalar, start: start, lines: context.lines))
    }
}
