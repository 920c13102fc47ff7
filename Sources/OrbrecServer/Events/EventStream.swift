internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecCore
internal import OrbrecAPI

/// `GET /api/v1/events`: the journal's events as Server-Sent Events. Each message's id is
/// the event's sequence number, so a client that reconnects with `Last-Event-ID` (or
/// `?after=N`) misses nothing; without either, the stream starts with the next event.
struct EventStream: Sendable {
    let store: StateStore
    let pulse: EventPulse
    let status: DaemonStatusCell
    let streams: StreamCounter
    /// Whose slots the stream counts against, and how it learns that client has gone.
    let client: String
    let departure: ClientDeparture?
    /// Events the CLI journals wake no pulse: streams look this often regardless.
    static let pollInterval: Duration = .milliseconds(100)
    static let heartbeat: Duration = .seconds(15)

    func response(for request: Request) async throws -> Response {
        let start: Int64
        let after: String? = request.uri.queryParameters.get("after").map { String($0) }
        if let header = request.headers[.lastEventID] ?? after {
            guard let seq = Int64(header), seq >= 0 else {
                throw APIError(.badRequest, .badEventID, "Last-Event-ID (or after) must be an event sequence number")
            }
            start = seq
        } else {
            start = try await store.lastEventSeq()
        }
        // A HEAD gets the headers of a stream and no body: it must not hold a stream's slot,
        // which only the body gives back.
        if request.method == .head {
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"])
        }
        let slot: StreamCounter.Slot
        switch streams.enter(client: client) {
        case .admitted(let taken): slot = taken
        case .full:
            throw APIError(.serviceUnavailable, .tooManyStreams, "\(streams.limit) event streams are open; try again later")
        case .clientFull:
            throw APIError(.tooManyRequests, .tooManyStreamsPerClient,
                           "\(streams.perClient) event streams are open from \(client); close one first")
        }
        let store = self.store, pulse = self.pulse, status = self.status, departure = self.departure
        let body = ResponseBody { writer in
            // The slot lives as long as this body; it is given back when the response is dropped.
            _ = slot
            let encoder = APIJSON.encoder()
            var last = start
            var quietSince = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 1000\n: connected; events after \(start)\n\n"))
            // A client gone is noticed within a poll, not at the next write (up to a heartbeat away).
            while !Task.isCancelled && !status.current.finished && departure?.isGone != true {
                let events = try await store.events(after: last, limit: 500)
                if events.isEmpty {
                    if ContinuousClock.now - quietSince >= Self.heartbeat {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        quietSince = ContinuousClock.now
                    }
                    await pulse.wait(upTo: Self.pollInterval)
                    continue
                }
                var buffer = ByteBuffer()
                for event in events {
                    let document = EventDocument(event)
                    let data = String(decoding: try encoder.encode(document), as: UTF8.self)
                    buffer.writeString("id: \(document.seq)\nevent: \(document.kind)\ndata: \(data)\n\n")
                    last = document.seq
                }
                try await writer.write(buffer)
                quietSince = ContinuousClock.now
            }
            // Hung up on, not finished: the throw makes the server close the connection.
            if departure?.isGone == true { throw CancellationError() }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

extension HTTPField.Name {
    static var lastEventID: HTTPField.Name { HTTPField.Name("Last-Event-ID")! }
}
