public import OrbrecCore
internal import Foundation

extension AWSProvider {
    /// The provider a `type: aws` spec describes, with credentials from the environment or the
    /// shared credentials file. Without usable credentials every call fails with
    /// `NoCredentials` and a message that says where credentials are looked for.
    public static func make(_ spec: ProviderSpec, environment: [String: String], clock: any Clock,
                            afterLaunch: @escaping @Sendable () -> Void = {}) -> any Provider {
        guard case .aws(let settings) = spec.settings else {
            return UnavailableProvider(name: spec.name, error: ProviderError(
                code: "InvalidProvider", message: "provider \(spec.name) is of type \(spec.type.rawValue), not aws"))
        }
        let region = settings.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let credentials: AWSCredentials
        do {
            credentials = try CredentialSource.resolve(profile: settings.profile, environment: environment)
        } catch {
            return UnavailableProvider(name: spec.name, error: ProviderError(code: "NoCredentials", message: error.description))
        }
        let endpointText = settings.endpoint ?? environment["AWS_ENDPOINT_URL_EC2"] ?? environment["AWS_ENDPOINT_URL"]
        let endpoint = endpointText.flatMap { URL(string: $0) } ?? EC2Client.endpoint(region: region)
        // One endpoint in the configuration serves both services (moto, LocalStack); otherwise
        // Auto Scaling has its own, as the AWS CLI's variables name it.
        let autoScalingText = settings.endpoint ?? environment["AWS_ENDPOINT_URL_AUTO_SCALING"] ?? environment["AWS_ENDPOINT_URL"]
        let autoScalingEndpoint = autoScalingText.flatMap { URL(string: $0) } ?? AutoScalingClient.endpoint(region: region)
        let signer = SigV4Signer(credentials: credentials, region: region, service: "ec2")
        return AWSProvider(name: spec.name, client: EC2Client(endpoint: endpoint, signer: signer, clock: clock), maxInFlight: spec.maxInFlight,
                           autoScalingEndpoint: autoScalingEndpoint, afterLaunch: afterLaunch)
    }
}
