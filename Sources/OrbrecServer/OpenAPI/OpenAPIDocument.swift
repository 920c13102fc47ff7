internal import Hummingbird
internal import HTTPTypes
internal import NIOCore

/// The OpenAPI 3.1 document of the daemon's whole HTTP API, served at `GET /api/v1/openapi.json`.
/// Kept by hand next to the routes: a change to a route or a document changes this too.
/// `scripts/openapi-check.sh` validates it and exercises a running daemon against it.
enum OpenAPIDocument {
    static let json: String = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "orbrec API",
    "version": "v1",
    "summary": "The HTTP API of the orbrec daemon (`orbrec run`).",
    "description": "Reads of the journal and of the daemon's last pass, `POST /api/v1/reconcile`, the pull-mode lease API, and machine requests, returns and templates as the Open Resource Broker's REST API has them. Answers are JSON (`application/json; charset=utf-8`) with sorted keys; optional fields are left out, never `null`. Errors are `{\"error\": {\"code\", \"message\"}}`. Every POST needs the bearer token. On loopback, GETs do not, but only requests addressed to `localhost`, `127.x.x.x` or `[::1]` are served (421 `misdirected` otherwise); beyond loopback every request except `/healthz` and `/readyz` needs it. `HEAD` works wherever `GET` does. An unknown path, or a method a path does not take, is 404 `not-found`. On every path, a body over 1 MiB is 413 `too-large` and a request with two `Host` headers is 400 `duplicate-host`. A connection that sends no whole request head (or no next body part) for `--http-idle-timeout` (30 s), or takes more than twice that for one request, is closed without an answer.",
    "license": {
      "name": "Apache-2.0",
      "identifier": "Apache-2.0"
    }
  },
  "servers": [
    {
      "url": "http://127.0.0.1:7077",
      "description": "`orbrec run`'s default `--listen`"
    }
  ],
  "tags": [
    {
      "name": "health",
      "description": "Liveness, readiness and metrics."
    },
    {
      "name": "status",
      "description": "The daemon's last reconcile pass."
    },
    {
      "name": "journal",
      "description": "Machines, requests, tasks and actions, as the CLI's `-o json` shows them."
    },
    {
      "name": "events",
      "description": "The journal's events, streamed."
    },
    {
      "name": "control",
      "description": "What the daemon reconciles next."
    },
    {
      "name": "pull",
      "description": "Pull-mode pools: workers claim tasks with leases and end them with the attempt's fencing token."
    },
    {
      "name": "requests",
      "description": "Machine requests, returns and templates, as the Open Resource Broker's REST API has them."
    },
    {
      "name": "meta",
      "description": "This document."
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "tags": [
          "health"
        ],
        "operationId": "getHealth",
        "summary": "Liveness",
        "description": "Always 200 while the daemon serves HTTP. No token is ever needed.",
        "security": [],
        "responses": {
          "200": {
            "description": "The daemon serves HTTP.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Liveness"
                },
                "example": {
                  "status": "ok"
                }
              }
            }
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "tags": [
          "health"
        ],
        "operationId": "getReadiness",
        "summary": "Readiness, with the checks",
        "description": "200 when the daemon is ready, 503 when it is not. No token is needed; beyond loopback, callers without it get the checks without `detail`.",
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "Ready: every check is `ok`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Readiness"
                },
                "example": {
                  "checks": [
                    {
                      "detail": "revision 936f16bef561",
                      "name": "configuration",
                      "ok": true
                    },
                    {
                      "detail": "4 pass(es)",
                      "name": "reconcile",
                      "ok": true
                    },
                    {
                      "detail": "running",
                      "name": "running",
                      "ok": true
                    }
                  ],
                  "ready": true
                }
              }
            }
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "description": "Not ready: at least one check is not `ok`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Readiness"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "tags": [
          "health"
        ],
        "operationId": "getMetrics",
        "summary": "Prometheus metrics",
        "description": "The Prometheus text exposition format, version 0.0.4.",
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The metrics.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                },
                "example": "# HELP orbrec_ready 1 when the daemon is ready (see /readyz).\n# TYPE orbrec_ready gauge\norbrec_ready 1\n"
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "tags": [
          "meta"
        ],
        "operationId": "getOpenAPIDocument",
        "summary": "This document",
        "description": "The OpenAPI 3.1 document of the whole API.",
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The OpenAPI document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "openapi",
                    "info",
                    "paths"
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/resources": {
      "get": {
        "tags": [
          "status"
        ],
        "operationId": "listResources",
        "summary": "The last pass, one row per resource",
        "description": "The daemon's last pass, as `orbrec status --json`, plus `revision` and `observed_at`. 503 `not-ready` until the first pass has finished.",
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The last pass.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "$ref": "#/components/responses/NotReady"
          }
        }
      }
    },
    "/api/v1/fleets": {
      "get": {
        "tags": [
          "status"
        ],
        "operationId": "listFleets",
        "summary": "Each fleet's row and machines",
        "description": "Each fleet's row of the last pass, with the machines the journal holds for it. 503 `not-ready` before the first pass.",
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The fleets.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Fleet"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "$ref": "#/components/responses/NotReady"
          }
        }
      }
    },
    "/api/v1/machines": {
      "get": {
        "tags": [
          "journal"
        ],
        "operationId": "listMachines",
        "summary": "Machines",
        "description": "The machines in the journal, by fleet and id, as `orbrec get machines -o json`. States are as of the daemon's last pass.",
        "parameters": [
          {
            "name": "all",
            "in": "query",
            "required": false,
            "description": "`true` adds `returned` and `failed` machines; any other value is the default.",
            "schema": {
              "type": "string"
            },
            "example": "true"
          }
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The machines.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Machine"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/requests": {
      "get": {
        "tags": [
          "journal"
        ],
        "operationId": "listRequests",
        "summary": "Requests, newest first",
        "description": "All requests, newest first, as `orbrec get requests -o json`.",
        "parameters": [
          {
            "$ref": "#/components/parameters/Limit"
          }
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The requests.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Request"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/requests/{id}": {
      "get": {
        "tags": [
          "journal"
        ],
        "operationId": "getRequest",
        "summary": "One request",
        "description": "One request, in the Open Resource Broker's field names and orbrec's: a machine request (`req-…`, `POST /api/v1/machines/request`, `orbrec machines request`), a return request (`ret-…`), or a request a plan's action made (`orbrec requests show -o json` shows those in orbrec's fields alone).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "minLength": 1
            },
            "example": "req-njdvwgckf55c"
          }
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The request.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RequestStatus"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "description": "No such request (`not-found`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "not-found",
                    "message": "no request req-nope"
                  }
                }
              }
            }
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/tasks": {
      "get": {
        "tags": [
          "journal"
        ],
        "operationId": "listTasks",
        "summary": "Tasks with their attempts",
        "description": "The tasks in the journal, by pool and key, each with all its attempts, as `orbrec get tasks -o json`.",
        "parameters": [
          {
            "name": "pool",
            "in": "query",
            "required": false,
            "description": "Only this pool's tasks (an empty list for a pool with none).",
            "schema": {
              "type": "string"
            },
            "example": "jobs"
          }
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The tasks.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Task"
                  }
                }
              }
            },
            "links": {
              "claim": {
                "operationId": "claimTask",
                "parameters": {
                  "pool": "$response.body#/0/pool"
                },
                "description": "Claim a task of the first task's pool (if it is a `mode: pull` pool)."
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/actions": {
      "get": {
        "tags": [
          "journal"
        ],
        "operationId": "listActions",
        "summary": "The action journal, newest first",
        "description": "The action journal, newest first, as `orbrec history --json`. Without `limit`, the whole journal.",
        "parameters": [
          {
            "$ref": "#/components/parameters/Limit"
          },
          {
            "name": "resource",
            "in": "query",
            "required": false,
            "description": "Only the actions on `Kind/name` (the kind in any case); anything else is 400 `bad-resource`.",
            "schema": {
              "type": "string",
              "pattern": "^([Pp][Rr][Oo][Vv][Ii][Dd][Ee][Rr]|[Ss][Cc][Hh][Ee][Dd][Uu][Ll][Ee][Rr]|[Tt][Ee][Mm][Pp][Ll][Aa][Tt][Ee]|[Ff][Ll][Ee][Ee][Tt]|[Tt][Aa][Ss][Kk][Pp][Oo][Oo][Ll]|[Ww][Oo][Rr][Kk][Ff][Ll][Oo][Ww]|[Pp][Oo][Ll][Ii][Cc][Yy])/[\\s\\S]+$"
            },
            "example": "Fleet/workers"
          }
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The actions.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Action"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/events": {
      "get": {
        "tags": [
          "events"
        ],
        "operationId": "streamEvents",
        "summary": "The journal's events as Server-Sent Events",
        "description": "Every change of an action, request, machine, task, lock or workflow run, and the daemon's configuration loads, as Server-Sent Events. Each message's `id` is the event's `seq`, its `event` the first part of `subject`, and its `data` one `Event` object (see components). Without `Last-Event-ID` or `after`, the stream starts with the next event. A `: keep-alive` comment comes after 15 s without events. The stream ends when the daemon stops; a client that closes its connection gives its stream back at once.",
        "parameters": [
          {
            "name": "after",
            "in": "query",
            "required": false,
            "description": "Send every event after this sequence number (`0` replays the whole log).",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          },
          {
            "name": "Last-Event-ID",
            "in": "header",
            "required": false,
            "description": "As `after`; wins if both are given.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          }
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The stream (it does not end while the daemon runs).",
            "headers": {
              "Cache-Control": {
                "schema": {
                  "type": "string",
                  "enum": [
                    "no-cache"
                  ]
                }
              }
            },
            "content": {
              "text/event-stream": {
                "schema": {
                  "type": "string"
                },
                "example": "retry: 1000\n: connected; events after 39\n\nid: 40\nevent: task\ndata: {\"at\":1795545442285,\"cause\":\"attempt 2 succeeded\",\"from\":\"running\",\"resource\":\"TaskPool/letters\",\"seq\":40,\"subject\":\"task/letters/c\",\"to\":\"completed\"}\n\n"
              }
            }
          },
          "400": {
            "description": "`Last-Event-ID` or `after` is not an event sequence number (`bad-event-id`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "429": {
            "description": "This address already holds its share of the event streams (`too-many-streams-per-client`): 16 unless `--event-streams-per-client` says otherwise.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "description": "All event streams are taken (`too-many-streams`): 64 unless `--event-streams` says otherwise.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/mcp": {
      "post": {
        "tags": [
          "mcp"
        ],
        "operationId": "mcp",
        "summary": "Model Context Protocol over Streamable HTTP (stateless)",
        "description": "The tools of `orbrec mcp` (list_resources, status, plan_preview, show_request, list_tasks, requeue_tasks, claim_task, heartbeat_task, complete_task, fail_task, release_task) for agents that reach the daemon. Each POST carries one JSON-RPC 2.0 message and gets its answer as one JSON body; there is no session and no server-sent stream. Tool failures are results with isError, not HTTP errors.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "description": "A JSON-RPC 2.0 request or notification (initialize, notifications/initialized, tools/list, tools/call)."
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The JSON-RPC response.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "202": {
            "description": "A notification, accepted."
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "default": {
            "description": "A JSON-RPC error from the transport: 400 for a malformed message, 403 for a foreign Origin, 406 without Accept: application/json, 415 without Content-Type: application/json.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/reconcile": {
      "post": {
        "tags": [
          "control"
        ],
        "operationId": "reconcile",
        "summary": "Reconcile everything now",
        "description": "Queues every fleet, pool and workflow (and those the state holds but the configuration dropped) to be reconciled now, without waiting for a backoff. The pass runs after the answer.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "202": {
            "description": "Queued.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Queued"
                },
                "example": {
                  "status": "queued"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "description": "No valid configuration is loaded, or the daemon is stopping (`not-ready`); or, with a state shared by several daemons, this one follows (`not-leader`, naming the leader's API): ask the leader.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/pools/{pool}/claim": {
      "post": {
        "tags": [
          "pull"
        ],
        "operationId": "claimTask",
        "summary": "Claim a pull-mode pool's task",
        "description": "Leases the next task of a `mode: pull` pool to the worker. The answer holds the fencing token; 204 when nothing is offered now.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "parameters": [
          {
            "name": "pool",
            "in": "path",
            "required": true,
            "description": "The pool's name.",
            "schema": {
              "type": "string",
              "minLength": 1
            },
            "example": "jobs"
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ClaimRequest"
              },
              "example": {
                "worker": "worker-1",
                "leaseSeconds": 30
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The claimed task, with its token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LeaseAnswer"
                }
              }
            },
            "links": {
              "heartbeat": {
                "operationId": "heartbeatTask",
                "parameters": {
                  "id": "$response.body#/task/id"
                },
                "requestBody": {
                  "token": "$response.body#/task/token"
                }
              },
              "complete": {
                "operationId": "completeTask",
                "parameters": {
                  "id": "$response.body#/task/id"
                },
                "requestBody": {
                  "token": "$response.body#/task/token"
                }
              },
              "fail": {
                "operationId": "failTask",
                "parameters": {
                  "id": "$response.body#/task/id"
                },
                "requestBody": {
                  "token": "$response.body#/task/token"
                }
              },
              "release": {
                "operationId": "releaseTask",
                "parameters": {
                  "id": "$response.body#/task/id"
                },
                "requestBody": {
                  "token": "$response.body#/task/token"
                }
              }
            }
          },
          "204": {
            "description": "Nothing to claim now; try again after `Retry-After` seconds.",
            "headers": {
              "Retry-After": {
                "schema": {
                  "type": "integer",
                  "minimum": 0
                }
              }
            }
          },
          "400": {
            "description": "The body is not a JSON object, `worker` is missing, empty or too long, or `leaseSeconds` or `machine` is out of range (`bad-request`); or the Idempotency-Key is too long (`bad-idempotency-key`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "bad-request",
                    "message": "worker must be a non-empty string (at most 200 characters)"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "description": "No task pool of that name in the configuration in force (`not-found`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The pool is `mode: push` (`not-a-pull-pool`), or the Idempotency-Key was used for a different request (`idempotency_key_reused`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "not-a-pull-pool",
                    "message": "TaskPool/letters is mode: push: orbrec submits its tasks; only mode: pull pools are claimed"
                  }
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/tasks/{id}/heartbeat": {
      "post": {
        "tags": [
          "pull"
        ],
        "operationId": "heartbeatTask",
        "summary": "Extend a lease",
        "description": "Renews the lease the token holds, for `leaseSeconds` from now if given.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/TaskID"
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/HeartbeatRequest"
              },
              "example": {
                "token": "lt-3f2a9c1e0b7d4a5f8e6c2b1a0d9f8e7c",
                "leaseSeconds": 30
              }
            }
          }
        },
        "responses": {
          "200": {
            "$ref": "#/components/responses/Lease"
          },
          "400": {
            "description": "The body is not a JSON object, `token` is missing or not a string, a field is out of range (`bad-request`), the id is not `POOL:KEY` (`bad-task-id`), or the Idempotency-Key is too long (`bad-idempotency-key`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "409": {
            "$ref": "#/components/responses/StaleAttempt"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/tasks/{id}/complete": {
      "post": {
        "tags": [
          "pull"
        ],
        "operationId": "completeTask",
        "summary": "Report success",
        "description": "Ends the attempt as succeeded, with an optional `result`.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/TaskID"
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CompleteRequest"
              },
              "example": {
                "token": "lt-3f2a9c1e0b7d4a5f8e6c2b1a0d9f8e7c",
                "result": {
                  "rows": 42
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "$ref": "#/components/responses/Lease"
          },
          "400": {
            "description": "The body is not a JSON object, `token` is missing or not a string, a field is out of range (`bad-request`), the id is not `POOL:KEY` (`bad-task-id`), or the Idempotency-Key is too long (`bad-idempotency-key`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "409": {
            "$ref": "#/components/responses/StaleAttempt"
          },
          "413": {
            "description": "The body is over 1 MiB, or `result` is over 256 KiB (`too-large`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/tasks/{id}/fail": {
      "post": {
        "tags": [
          "pull"
        ],
        "operationId": "failTask",
        "summary": "Report failure",
        "description": "Ends the attempt as failed; the pool's retry policy decides whether the task is retried (`retrying`, with `nextTryAt`) or is out of attempts (`dead_letter`).",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/TaskID"
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/FailRequest"
              },
              "example": {
                "token": "lt-3f2a9c1e0b7d4a5f8e6c2b1a0d9f8e7c",
                "reason": "disk full",
                "retryAfterSeconds": 60
              }
            }
          }
        },
        "responses": {
          "200": {
            "$ref": "#/components/responses/Lease"
          },
          "400": {
            "description": "The body is not a JSON object, `token` is missing or not a string, a field is out of range (`bad-request`), the id is not `POOL:KEY` (`bad-task-id`), or the Idempotency-Key is too long (`bad-idempotency-key`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "409": {
            "$ref": "#/components/responses/StaleAttempt"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/tasks/{id}/release": {
      "post": {
        "tags": [
          "pull"
        ],
        "operationId": "releaseTask",
        "summary": "Give a task back",
        "description": "Gives the task back unfinished: it is offered again at once and no attempt is used.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/TaskID"
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReleaseRequest"
              },
              "example": {
                "token": "lt-3f2a9c1e0b7d4a5f8e6c2b1a0d9f8e7c"
              }
            }
          }
        },
        "responses": {
          "200": {
            "$ref": "#/components/responses/Lease"
          },
          "400": {
            "description": "The body is not a JSON object, `token` is missing or not a string, a field is out of range (`bad-request`), the id is not `POOL:KEY` (`bad-task-id`), or the Idempotency-Key is too long (`bad-idempotency-key`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "409": {
            "$ref": "#/components/responses/StaleAttempt"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          }
        }
      }
    },
    "/api/v1/machines/request": {
      "post": {
        "tags": [
          "requests"
        ],
        "operationId": "requestMachines",
        "summary": "Request machines of a template",
        "description": "As the Open Resource Broker's `POST /api/v1/machines/request`: journals a machine request (`req-…`) for `count` machines of a template and answers at once; the daemon's loop provisions them right after. The request is then held like a fleet of the configuration (its machines kept until returned, replaced if lost unless the template says otherwise) and counts against the template's `maxMachines` and the policies. Follow it with `GET /api/v1/requests/{id}`. Only the leader takes requests.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "parameters": [
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "A retry with the same key (and the same template and count) answers the request the key made, with its status now, instead of asking again; the same key with another template or count is 409 `idempotency_key_reused`. A refused request is not kept: a retry with the key tries again. At most 200 characters (400 `bad-idempotency-key`); empty is the same as none.",
            "schema": {
              "type": "string",
              "maxLength": 200
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/MachineRequestBody"
              },
              "example": {
                "template_id": "sleeper",
                "count": 1
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Journaled (or, with an Idempotency-Key already used, the request it made): the request as `GET /api/v1/requests/{id}` shows ORB's fields of it.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MachineRequest"
                }
              }
            },
            "links": {
              "status": {
                "operationId": "getRequest",
                "parameters": {
                  "id": "$response.body#/request_id"
                }
              }
            }
          },
          "400": {
            "description": "The body is not a JSON object, `template_id` is missing, empty or too long (`bad-request`), it has a field other than `template_id` and `count` (`unknown-field`), `count` is missing, not an integer, or not from 1 to 10000 (`invalid-count`), or the Idempotency-Key is too long (`bad-idempotency-key`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "invalid-count",
                    "message": "count must be an integer from 1 to 10000"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "description": "No template of that name in the configuration in force (`unknown-template`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "unknown-template",
                    "message": "no template gpu in the configuration; templates: sleeper"
                  }
                }
              }
            }
          },
          "409": {
            "description": "The request would take the template over its `maxMachines` (`over-limit`), a policy denies it (`policy-denied`), or the Idempotency-Key made a different request (`idempotency_key_reused`). Nothing is journaled.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "over-limit",
                    "message": "Fleet/req-2k4m9x7qp1ab asks for 3 machine(s) of template sleeper (4 with the other fleets of the template), over its maxMachines of 2"
                  }
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "description": "No valid configuration is loaded, or the daemon is stopping (`not-ready`); or, with a state shared by several daemons, this one follows (`not-leader`, naming the leader's API): ask the leader.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/machines/return": {
      "post": {
        "tags": [
          "requests"
        ],
        "operationId": "returnMachines",
        "summary": "Return machines",
        "description": "As the Open Resource Broker's `POST /api/v1/machines/return`: journals a return request (`ret-…`) for the machines and answers at once; the daemon's loop returns them right after. A machine of a machine request leaves it (the request wants one fewer; nothing replaces it); a machine of a configured fleet is replaced by its fleet unless its count drops. The plan of the returns is judged by the policies first (no override here). Follow it with `GET /api/v1/requests/{id}`. Only the leader takes returns.",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/MachineReturnBody"
              },
              "example": {
                "machine_ids": [
                  "req-2k4m9x7qp1ab-7fk2p"
                ]
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Journaled.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MachineReturn"
                }
              }
            },
            "links": {
              "status": {
                "operationId": "getRequest",
                "parameters": {
                  "id": "$response.body#/request_id"
                }
              }
            }
          },
          "400": {
            "description": "The body is not a JSON object, `machine_ids` is not an array of 1 to 10000 non-empty strings (`bad-request`), or it has another field (`unknown-field`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "bad-request",
                    "message": "machine_ids must be an array of 1 to 10000 machine ids"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "description": "A machine named is not one the state holds (`unknown-machine`). Nothing is journaled.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "unknown-machine",
                    "message": "not a machine this state holds: web-nope"
                  }
                }
              }
            }
          },
          "409": {
            "description": "Every machine named is being returned already (`already-returning`), or a policy denies the returns (`policy-denied`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "already-returning",
                    "message": "every machine named is being returned already: workers-7fk2p"
                  }
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "description": "No valid configuration is loaded, or the daemon is stopping (`not-ready`); or, with a state shared by several daemons, this one follows (`not-leader`, naming the leader's API): ask the leader.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/templates": {
      "get": {
        "tags": [
          "requests"
        ],
        "operationId": "listTemplates",
        "summary": "Templates",
        "description": "The templates of the configuration in force, as the Open Resource Broker's `GET /api/v1/templates` names them, with what their `maxMachines` still leaves for requests.",
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The templates.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Templates"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "description": "No valid configuration is loaded yet (`not-ready`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "not-ready",
                    "message": "no valid configuration is loaded; see /readyz"
                  }
                }
              }
            }
          }
        }
      }
    },
    "/api/v1/templates/{id}": {
      "get": {
        "tags": [
          "requests"
        ],
        "operationId": "getTemplate",
        "summary": "One template",
        "description": "One template of the configuration in force, as `GET /api/v1/templates` lists it.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The template's name.",
            "schema": {
              "type": "string",
              "minLength": 1
            },
            "example": "sleeper"
          }
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "The template.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Template"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "description": "No template of that name (`unknown-template`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "unknown-template",
                    "message": "no template gpu in the configuration in force; templates: sleeper"
                  }
                }
              }
            }
          },
          "421": {
            "$ref": "#/components/responses/Misdirected"
          },
          "500": {
            "$ref": "#/components/responses/Internal"
          },
          "503": {
            "description": "No valid configuration is loaded yet (`not-ready`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                },
                "example": {
                  "error": {
                    "code": "not-ready",
                    "message": "no valid configuration is loaded; see /readyz"
                  }
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "schemas": {
      "Error": {
        "type": "object",
        "description": "Every failure: an HTTP status, a stable code and a message.",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string",
                "description": "A stable code, like `not-found`, `bad-limit`, `unauthorized`, `stale_attempt`."
              },
              "message": {
                "type": "string",
                "description": "What went wrong, for people."
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "Liveness": {
        "type": "object",
        "required": [
          "status"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ok"
            ]
          }
        },
        "additionalProperties": false
      },
      "ReadinessCheck": {
        "type": "object",
        "required": [
          "name",
          "ok"
        ],
        "properties": {
          "name": {
            "type": "string",
            "description": "`configuration`, `reconcile`, `policy`, `running`, `state-lock`, or an unreachable adapter's `Provider/NAME` or `Scheduler/NAME`."
          },
          "ok": {
            "type": "boolean"
          },
          "detail": {
            "type": "string",
            "description": "Left out beyond loopback for callers without the token."
          }
        },
        "additionalProperties": false
      },
      "Readiness": {
        "type": "object",
        "required": [
          "ready",
          "checks"
        ],
        "properties": {
          "ready": {
            "type": "boolean",
            "description": "True when every check is `ok`."
          },
          "checks": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ReadinessCheck"
            }
          },
          "role": {
            "type": "string",
            "enum": ["leader", "follower"],
            "description": "With a PostgreSQL state shared by several daemons: whether this one leads (and reconciles) or follows (and serves reads, events and the lease API). Absent for a state file, whose one daemon leads."
          },
          "leader": {
            "type": "object",
            "description": "Who leads, for a shared state (with the token, or on loopback): on a follower the leader's holder, host, API address, epoch and when its lead lapses unless renewed; on the leader its epoch.",
            "required": ["epoch"],
            "properties": {
              "holder": {"type": "string"},
              "host": {"type": "string"},
              "api": {"type": "string"},
              "epoch": {"type": "integer", "description": "Grows with every new leader; a superseded leader's writes are refused."},
              "expires_at": {"type": "integer", "description": "Milliseconds since the epoch, by the database's clock."}
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "Diagnostic": {
        "type": "object",
        "required": [
          "code",
          "message"
        ],
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "location": {
            "type": "string",
            "description": "`file:line:col`, when the problem has one."
          }
        },
        "additionalProperties": false
      },
      "Sync": {
        "type": "string",
        "enum": [
          "Synced",
          "OutOfSync",
          "Unknown"
        ]
      },
      "Health": {
        "type": "string",
        "enum": [
          "Healthy",
          "Progressing",
          "Degraded",
          "Missing",
          "Unknown"
        ]
      },
      "ResourceStatus": {
        "type": "object",
        "required": [
          "resource",
          "desired",
          "observed",
          "sync",
          "health",
          "message"
        ],
        "properties": {
          "resource": {
            "type": "string",
            "description": "`Kind/name`, like `Fleet/workers`."
          },
          "desired": {
            "type": "string"
          },
          "observed": {
            "type": "string"
          },
          "sync": {
            "$ref": "#/components/schemas/Sync"
          },
          "health": {
            "$ref": "#/components/schemas/Health"
          },
          "message": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "Status": {
        "type": "object",
        "description": "The daemon's last pass, as `orbrec status --json`, with `revision` and `observed_at`.",
        "required": [
          "resources",
          "problems",
          "converged"
        ],
        "properties": {
          "resources": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ResourceStatus"
            }
          },
          "problems": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Diagnostic"
            },
            "description": "The newest configuration's errors while it is invalid."
          },
          "converged": {
            "type": "boolean"
          },
          "revision": {
            "type": "string",
            "description": "The configuration revision the report is of."
          },
          "observed_at": {
            "type": "integer",
            "format": "int64",
            "description": "When the pass started (milliseconds since the Unix epoch)"
          }
        },
        "additionalProperties": false
      },
      "Fleet": {
        "type": "object",
        "required": [
          "name",
          "desired",
          "observed",
          "sync",
          "health",
          "message",
          "machines",
          "machine_ids"
        ],
        "properties": {
          "name": {
            "type": "string"
          },
          "desired": {
            "type": "string"
          },
          "observed": {
            "type": "string"
          },
          "sync": {
            "$ref": "#/components/schemas/Sync"
          },
          "health": {
            "$ref": "#/components/schemas/Health"
          },
          "message": {
            "type": "string"
          },
          "machines": {
            "type": "object",
            "additionalProperties": {
              "type": "integer",
              "minimum": 0
            },
            "description": "Machines the journal holds for the fleet, counted by state (`returned` and `failed` left out)."
          },
          "machine_ids": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "Their ids, sorted."
          }
        },
        "additionalProperties": false
      },
      "MachineState": {
        "type": "string",
        "enum": [
          "pending",
          "running",
          "unhealthy",
          "terminating",
          "lost",
          "returned",
          "failed"
        ]
      },
      "Machine": {
        "type": "object",
        "description": "A machine, as `orbrec get machines -o json`.",
        "required": [
          "id",
          "fleet",
          "template",
          "template_hash",
          "state",
          "provider",
          "request",
          "action",
          "message",
          "created_at"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "fleet": {
            "type": "string"
          },
          "template": {
            "type": "string"
          },
          "template_hash": {
            "type": "string"
          },
          "state": {
            "$ref": "#/components/schemas/MachineState"
          },
          "provider": {
            "type": "string"
          },
          "provider_id": {
            "type": "string",
            "description": "The provider's own id for the machine, once it has one."
          },
          "request": {
            "type": "string",
            "description": "The request that made it (`req-…`)."
          },
          "action": {
            "type": "string",
            "description": "The action that made it (`act-…`)."
          },
          "message": {
            "type": "string"
          },
          "created_at": {
            "type": "integer",
            "format": "int64",
            "description": "When it was asked for (milliseconds since the Unix epoch)"
          },
          "log": {
            "type": "string",
            "description": "Where a local machine's output is written, as `host:path`: on the host whose orbrec started it, which with a shared state may not be this one."
          },
          "private_ip_address": {
            "type": "string",
            "description": "Where it can be reached, as its provider reports it (a local machine: this host's)."
          },
          "public_ip_address": {
            "type": "string"
          },
          "hostname": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "RequestMachine": {
        "type": "object",
        "required": [
          "id",
          "state",
          "message"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "state": {
            "$ref": "#/components/schemas/MachineState"
          },
          "message": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "Request": {
        "type": "object",
        "description": "A request with its machines, as `orbrec requests show -o json`.",
        "required": [
          "id",
          "kind",
          "status",
          "resource",
          "action",
          "message",
          "fulfilled",
          "target",
          "machines",
          "created_at",
          "updated_at"
        ],
        "properties": {
          "id": {
            "type": "string",
            "description": "`req-…` (provision) or `ret-…` (return)."
          },
          "kind": {
            "type": "string",
            "enum": [
              "provision",
              "return"
            ]
          },
          "status": {
            "type": "string",
            "enum": [
              "pending",
              "in_progress",
              "complete",
              "partial",
              "failed",
              "cancelled"
            ]
          },
          "resource": {
            "type": "string",
            "description": "`Kind/name`."
          },
          "action": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "fulfilled": {
            "type": "integer",
            "description": "Machines made (provision) or given back (return) so far.",
            "minimum": 0
          },
          "target": {
            "type": "integer",
            "description": "Machines asked for.",
            "minimum": 0
          },
          "machines": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RequestMachine"
            }
          },
          "created_at": {
            "type": "integer",
            "format": "int64",
            "description": "Created (milliseconds since the Unix epoch)"
          },
          "updated_at": {
            "type": "integer",
            "format": "int64",
            "description": "Last changed (milliseconds since the Unix epoch)"
          }
        },
        "additionalProperties": false
      },
      "Attempt": {
        "type": "object",
        "required": [
          "attempt",
          "state",
          "scheduler",
          "host"
        ],
        "properties": {
          "attempt": {
            "type": "integer",
            "minimum": 1
          },
          "state": {
            "type": "string",
            "enum": [
              "submitting",
              "running",
              "ended",
              "cancelled"
            ]
          },
          "job_id": {
            "type": "string",
            "description": "The scheduler's job id; `offered` for a pull-mode attempt not yet claimed."
          },
          "scheduler": {
            "type": "string",
            "description": "The scheduler, or `@leases` for a pull-mode pool."
          },
          "exit_code": {
            "type": "integer"
          },
          "signal": {
            "type": "integer"
          },
          "failure_class": {
            "type": "string",
            "enum": [
              "app-error",
              "timeout",
              "infra"
            ]
          },
          "host": {
            "type": "string"
          },
          "started_at": {
            "type": "integer",
            "format": "int64",
            "description": "Started (milliseconds since the Unix epoch)"
          },
          "ended_at": {
            "type": "integer",
            "format": "int64",
            "description": "Ended (milliseconds since the Unix epoch)"
          }
        },
        "additionalProperties": false
      },
      "TaskState": {
        "type": "string",
        "enum": [
          "pending",
          "running",
          "retrying",
          "completed",
          "dead_letter",
          "cancelled"
        ]
      },
      "Task": {
        "type": "object",
        "description": "A task with every attempt, as `orbrec get tasks -o json`.",
        "required": [
          "pool",
          "key",
          "state",
          "attempts_started",
          "attempts_consumed",
          "attempts"
        ],
        "properties": {
          "pool": {
            "type": "string"
          },
          "key": {
            "type": "string"
          },
          "state": {
            "$ref": "#/components/schemas/TaskState"
          },
          "attempts_started": {
            "type": "integer",
            "minimum": 0
          },
          "attempts_consumed": {
            "type": "integer",
            "minimum": 0
          },
          "next_try_at": {
            "type": "integer",
            "format": "int64",
            "description": "When the next attempt may start, while `retrying` (milliseconds since the Unix epoch)"
          },
          "last_result": {
            "type": "string",
            "description": "The last attempt's outcome, like `exit=1`."
          },
          "attempts": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Attempt"
            }
          },
          "next_actions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/NextAction"
            },
            "description": "For a pull pool's task: what a worker can do about it now (no lease held)."
          }
        },
        "additionalProperties": false
      },
      "Action": {
        "type": "object",
        "description": "A journaled action, as `orbrec history --json`.",
        "required": [
          "id",
          "verb",
          "resource",
          "reason",
          "detail",
          "state",
          "config_revision",
          "actor",
          "created_at",
          "updated_at"
        ],
        "properties": {
          "id": {
            "type": "string",
            "description": "`act-…`"
          },
          "verb": {
            "type": "string",
            "enum": [
              "provision",
              "return",
              "replace",
              "submit",
              "cancel",
              "retry",
              "dead-letter"
            ]
          },
          "resource": {
            "type": "string",
            "description": "`Kind/name`."
          },
          "reason": {
            "type": "string"
          },
          "detail": {
            "type": "string"
          },
          "state": {
            "type": "string",
            "enum": [
              "planned",
              "issuing",
              "succeeded",
              "failed",
              "cancelled"
            ]
          },
          "request": {
            "type": "string",
            "description": "The request it made, if any."
          },
          "error": {
            "type": "string"
          },
          "config_revision": {
            "type": "string"
          },
          "actor": {
            "type": "string"
          },
          "created_at": {
            "type": "integer",
            "format": "int64",
            "description": "Created (milliseconds since the Unix epoch)"
          },
          "updated_at": {
            "type": "integer",
            "format": "int64",
            "description": "Last changed (milliseconds since the Unix epoch)"
          }
        },
        "additionalProperties": false
      },
      "Event": {
        "type": "object",
        "description": "The `data:` of one event-stream message (the stream itself is `text/event-stream`).",
        "required": [
          "seq",
          "at",
          "resource",
          "subject",
          "to",
          "cause"
        ],
        "properties": {
          "seq": {
            "type": "integer",
            "format": "int64",
            "description": "The event's sequence number, also the SSE message's `id`."
          },
          "at": {
            "type": "integer",
            "format": "int64",
            "description": "When it happened (milliseconds since the Unix epoch)"
          },
          "resource": {
            "type": "string",
            "description": "`Kind/name`, `state` for lock events, or `configuration`."
          },
          "subject": {
            "type": "string",
            "description": "`action/ID`, `machine/ID`, `request/ID`, `task/POOL/KEY`, `lock/ID`, `configuration/REVISION`, `run/RUN` or `step/RUN/STEP`."
          },
          "from": {
            "type": "string",
            "description": "The previous state; left out when there was none."
          },
          "to": {
            "type": "string"
          },
          "cause": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "Queued": {
        "type": "object",
        "required": [
          "status"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "queued"
            ]
          }
        },
        "additionalProperties": false
      },
      "LeaseTask": {
        "type": "object",
        "required": [
          "id",
          "pool",
          "key",
          "attempt",
          "state"
        ],
        "properties": {
          "id": {
            "type": "string",
            "description": "`POOL:KEY`; percent-encode it to put it in a path.",
            "examples": [
              "jobs:1"
            ]
          },
          "pool": {
            "type": "string"
          },
          "key": {
            "type": "string"
          },
          "attempt": {
            "type": "integer",
            "minimum": 1
          },
          "state": {
            "type": "string",
            "description": "`leased` while the caller holds the attempt; otherwise the task's state after the call.",
            "enum": [
              "leased",
              "pending",
              "running",
              "retrying",
              "completed",
              "dead_letter",
              "cancelled"
            ]
          },
          "token": {
            "type": "string",
            "description": "The fencing token; only to the holder of the lease.",
            "examples": [
              "lt-3f2a9c1e0b7d4a5f8e6c2b1a0d9f8e7c"
            ]
          },
          "leaseExpiresAt": {
            "type": "string",
            "description": "When the lease ends unless renewed; only to the holder.",
            "format": "date-time"
          },
          "leaseSeconds": {
            "type": "integer",
            "format": "int64",
            "description": "The lease's length; only to the holder.",
            "minimum": 1
          },
          "worker": {
            "type": "string"
          },
          "machine": {
            "type": "string"
          },
          "item": {
            "type": "string",
            "description": "The task's `${item}`."
          },
          "index": {
            "type": "integer",
            "description": "The task's `${index}`.",
            "minimum": 0
          },
          "params": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "The task's other variables, when it has any."
          },
          "command": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "The pool's command for this attempt, rendered, when the pool has one."
          },
          "env": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "The pool's environment; only to the holder, when the pool has one."
          },
          "nextTryAt": {
            "type": "string",
            "description": "When the next attempt is offered (after `fail` that leads to a retry).",
            "format": "date-time"
          },
          "reason": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "NextAction": {
        "type": "object",
        "required": [
          "action",
          "method",
          "path",
          "recommended",
          "retryAfterSeconds",
          "reason"
        ],
        "properties": {
          "action": {
            "type": "string",
            "enum": [
              "complete",
              "fail",
              "heartbeat",
              "release",
              "claim",
              "wait",
              "requeue"
            ]
          },
          "method": {
            "type": "string",
            "description": "`POST` for a call that acts, `GET` for where to look while waiting (`wait`), empty for an operator's command (`requeue`).",
            "enum": [
              "POST",
              "GET",
              ""
            ]
          },
          "path": {
            "type": "string",
            "description": "The API path to call, or the command an operator runs."
          },
          "recommended": {
            "type": "boolean"
          },
          "retryAfterSeconds": {
            "type": "integer",
            "format": "int64",
            "description": "Do it no sooner than this many seconds from now.",
            "minimum": 0
          },
          "before": {
            "type": "string",
            "description": "Do it before this moment or it stops being possible (the lease's end).",
            "format": "date-time"
          },
          "reason": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "LeaseAnswer": {
        "type": "object",
        "description": "A pull-mode task as the lease API answers: the attempt, what it holds, and what to do next.",
        "required": [
          "task",
          "next_actions"
        ],
        "properties": {
          "task": {
            "$ref": "#/components/schemas/LeaseTask"
          },
          "next_actions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/NextAction"
            }
          }
        },
        "additionalProperties": false
      },
      "ClaimRequest": {
        "type": "object",
        "required": [
          "worker"
        ],
        "properties": {
          "worker": {
            "type": "string",
            "description": "Who claims (at most 200 characters).",
            "minLength": 1,
            "maxLength": 200
          },
          "leaseSeconds": {
            "type": "integer",
            "description": "The lease's length (default 30).",
            "minimum": 1,
            "maximum": 3600,
            "default": 30
          },
          "machine": {
            "type": "string",
            "description": "The machine the worker runs on, if it is one of a fleet's: its leases are revoked when it is returned.",
            "maxLength": 2000
          }
        }
      },
      "HeartbeatRequest": {
        "type": "object",
        "required": [
          "token"
        ],
        "properties": {
          "token": {
            "type": "string",
            "description": "The token the claim returned.",
            "minLength": 1
          },
          "leaseSeconds": {
            "type": "integer",
            "description": "A new lease length from now; without it, the lease's current length.",
            "minimum": 1,
            "maximum": 3600
          }
        }
      },
      "CompleteRequest": {
        "type": "object",
        "required": [
          "token"
        ],
        "properties": {
          "token": {
            "type": "string",
            "description": "The token the claim returned.",
            "minLength": 1
          },
          "result": {
            "description": "Any JSON value, kept with the task (at most 256 KiB encoded)."
          }
        }
      },
      "FailRequest": {
        "type": "object",
        "required": [
          "token"
        ],
        "properties": {
          "token": {
            "type": "string",
            "description": "The token the claim returned.",
            "minLength": 1
          },
          "reason": {
            "type": "string",
            "description": "Why it failed.",
            "maxLength": 2000
          },
          "retryAfterSeconds": {
            "type": "integer",
            "description": "Offer the next attempt no sooner than this; without it, the pool's retry backoff.",
            "minimum": 0,
            "maximum": 86400
          }
        }
      },
      "ReleaseRequest": {
        "type": "object",
        "required": [
          "token"
        ],
        "properties": {
          "token": {
            "type": "string",
            "description": "The token the claim returned.",
            "minLength": 1
          }
        }
      },
      "MachineRequestBody": {
        "type": "object",
        "description": "A machine request: how many machines of which template.",
        "required": [
          "template_id",
          "count"
        ],
        "properties": {
          "template_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 253,
            "description": "The template's name."
          },
          "count": {
            "type": "integer",
            "minimum": 1,
            "maximum": 10000,
            "description": "How many machines."
          }
        },
        "additionalProperties": false
      },
      "MachineReturnBody": {
        "type": "object",
        "description": "The machines to return.",
        "required": [
          "machine_ids"
        ],
        "properties": {
          "machine_ids": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10000,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 253
            }
          }
        },
        "additionalProperties": false
      },
      "MachineResult": {
        "type": "string",
        "description": "How one machine of a request came out, as HostFactory asks: `executing` (still going), `succeed`, `fail`.",
        "enum": [
          "executing",
          "succeed",
          "fail"
        ]
      },
      "MachineRequestMachine": {
        "type": "object",
        "description": "One machine of a request, in the Open Resource Broker's field names.",
        "required": [
          "machine_id",
          "name",
          "status",
          "result",
          "launch_time",
          "message"
        ],
        "properties": {
          "machine_id": {
            "type": "string"
          },
          "name": {
            "type": "string",
            "description": "The machine's name; orbrec's machine ids are names."
          },
          "status": {
            "$ref": "#/components/schemas/MachineState"
          },
          "result": {
            "$ref": "#/components/schemas/MachineResult"
          },
          "private_ip_address": {
            "type": "string"
          },
          "public_ip_address": {
            "type": "string"
          },
          "hostname": {
            "type": "string"
          },
          "launch_time": {
            "type": "integer",
            "format": "int64",
            "description": "When it was asked for (seconds since the Unix epoch, as HostFactory's `launchtime`)."
          },
          "message": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "MachineRequest": {
        "type": "object",
        "description": "A machine request or return request in the Open Resource Broker's field names, as `orbrec requests status -o json`.",
        "required": [
          "request_id",
          "request_type",
          "status",
          "message",
          "requested_count",
          "created_at",
          "machines"
        ],
        "properties": {
          "request_id": {
            "type": "string",
            "description": "`req-…` (a machine request) or `ret-…` (a return request)."
          },
          "request_type": {
            "type": "string",
            "enum": [
              "provision",
              "return"
            ]
          },
          "status": {
            "type": "string",
            "enum": [
              "pending",
              "in_progress",
              "complete",
              "partial",
              "failed",
              "cancelled"
            ]
          },
          "message": {
            "type": "string"
          },
          "template_id": {
            "type": "string",
            "description": "The template asked for; absent for a return request and for a request a plan's action made."
          },
          "requested_count": {
            "type": "integer",
            "minimum": 0
          },
          "created_at": {
            "type": "integer",
            "format": "int64",
            "description": "Created (milliseconds since the Unix epoch)"
          },
          "machines": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MachineRequestMachine"
            }
          }
        },
        "additionalProperties": false
      },
      "RequestStatusMachine": {
        "type": "object",
        "description": "One machine of a request: the Open Resource Broker's fields, and orbrec's `id` and `state` (the same values as `machine_id` and `status`).",
        "required": [
          "machine_id",
          "name",
          "status",
          "result",
          "launch_time",
          "message",
          "id",
          "state"
        ],
        "properties": {
          "machine_id": {
            "type": "string"
          },
          "name": {
            "type": "string",
            "description": "The machine's name; orbrec's machine ids are names."
          },
          "status": {
            "$ref": "#/components/schemas/MachineState"
          },
          "result": {
            "$ref": "#/components/schemas/MachineResult"
          },
          "private_ip_address": {
            "type": "string"
          },
          "public_ip_address": {
            "type": "string"
          },
          "hostname": {
            "type": "string"
          },
          "launch_time": {
            "type": "integer",
            "format": "int64",
            "description": "When it was asked for (seconds since the Unix epoch, as HostFactory's `launchtime`)."
          },
          "message": {
            "type": "string"
          },
          "id": {
            "type": "string"
          },
          "state": {
            "$ref": "#/components/schemas/MachineState"
          }
        },
        "additionalProperties": false
      },
      "RequestStatus": {
        "type": "object",
        "description": "A request (a machine request, a return request, or one a plan's action made) in the Open Resource Broker's field names, with orbrec's beside them.",
        "required": [
          "request_id",
          "request_type",
          "status",
          "message",
          "requested_count",
          "created_at",
          "machines",
          "id",
          "kind",
          "fulfilled",
          "target"
        ],
        "properties": {
          "request_id": {
            "type": "string",
            "description": "`req-…` (a machine request) or `ret-…` (a return request)."
          },
          "request_type": {
            "type": "string",
            "enum": [
              "provision",
              "return"
            ]
          },
          "status": {
            "type": "string",
            "enum": [
              "pending",
              "in_progress",
              "complete",
              "partial",
              "failed",
              "cancelled"
            ]
          },
          "message": {
            "type": "string"
          },
          "template_id": {
            "type": "string",
            "description": "The template asked for; absent for a return request and for a request a plan's action made."
          },
          "requested_count": {
            "type": "integer",
            "minimum": 0
          },
          "created_at": {
            "type": "integer",
            "format": "int64",
            "description": "Created (milliseconds since the Unix epoch)"
          },
          "machines": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RequestStatusMachine"
            }
          },
          "id": {
            "type": "string",
            "description": "The same as `request_id`."
          },
          "kind": {
            "type": "string",
            "enum": [
              "provision",
              "return"
            ]
          },
          "resource": {
            "type": "string",
            "description": "`Kind/name` of what the request is for: the fleet of a plan's action, or `Fleet/<request_id>` for a machine request; absent for a return request."
          },
          "action": {
            "type": "string",
            "description": "The action that made it, for a request a plan's action made."
          },
          "fulfilled": {
            "type": "integer",
            "minimum": 0,
            "description": "Machines made (provision) or given back (return) so far."
          },
          "target": {
            "type": "integer",
            "minimum": 0,
            "description": "Machines asked for."
          },
          "updated_at": {
            "type": "integer",
            "format": "int64",
            "description": "Last changed (milliseconds since the Unix epoch), for a request a plan's action made."
          }
        },
        "additionalProperties": false
      },
      "MachineReturn": {
        "type": "object",
        "description": "A journaled return request.",
        "required": [
          "request_id",
          "machine_ids",
          "message"
        ],
        "properties": {
          "request_id": {
            "type": "string",
            "description": "`ret-…`"
          },
          "machine_ids": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "message": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "Template": {
        "type": "object",
        "description": "A template, in the Open Resource Broker's field names.",
        "required": [
          "template_id",
          "provider",
          "in_use",
          "attributes"
        ],
        "properties": {
          "template_id": {
            "type": "string"
          },
          "provider": {
            "type": "string",
            "description": "The Provider it names."
          },
          "provider_type": {
            "type": "string",
            "description": "`local`, `aws` or `hostfactory`; absent when the provider is not declared."
          },
          "provider_api": {
            "type": "string",
            "description": "How an aws template's instances are requested: `RunInstances`, `EC2Fleet`, `SpotFleet` or `ASG`."
          },
          "max_number": {
            "type": "integer",
            "minimum": 0,
            "description": "Its `maxMachines`; absent when it has no limit."
          },
          "available": {
            "type": "integer",
            "minimum": 0,
            "description": "How many machines a request may still ask for under `maxMachines`; absent when there is no limit."
          },
          "in_use": {
            "type": "integer",
            "minimum": 0,
            "description": "Machines its fleets, workflow runs and open machine requests want now."
          },
          "attributes": {
            "type": "object",
            "description": "What one machine offers (HostFactory's `ncpus`, `mem` in MiB, `type`): as the template states, else for a local template this host's.",
            "properties": {
              "ncpus": {
                "type": "integer",
                "minimum": 1
              },
              "mem": {
                "type": "integer",
                "minimum": 0
              },
              "type": {
                "type": "string"
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "Templates": {
        "type": "object",
        "required": [
          "templates"
        ],
        "properties": {
          "templates": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Template"
            }
          }
        },
        "additionalProperties": false
      }
    },
    "responses": {
      "BadRequest": {
        "description": "The request is malformed (a code like `bad-request`, `bad-limit`).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "TooLarge": {
        "description": "The body is over 1 MiB (`too-large`), announced by `Content-Length` or found while reading it.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            },
            "example": {
              "error": {
                "code": "too-large",
                "message": "the body is over 1024 KiB"
              }
            }
          }
        }
      },
      "Unauthorized": {
        "description": "The token is missing or wrong, or the daemon has none and the request needs one (`unauthorized`).",
        "headers": {
          "WWW-Authenticate": {
            "schema": {
              "type": "string",
              "enum": [
                "Bearer realm=\"orbrec\""
              ]
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            },
            "example": {
              "error": {
                "code": "unauthorized",
                "message": "a valid bearer token is required (Authorization: Bearer …)"
              }
            }
          }
        }
      },
      "Misdirected": {
        "description": "On loopback, a `Host` that is not a loopback name (`misdirected`).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            },
            "example": {
              "error": {
                "code": "misdirected",
                "message": "this API answers only to localhost, 127.0.0.1 or [::1]"
              }
            }
          }
        }
      },
      "NotReady": {
        "description": "No reconcile pass has finished yet (`not-ready`).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            },
            "example": {
              "error": {
                "code": "not-ready",
                "message": "no reconcile pass has finished yet"
              }
            }
          }
        }
      },
      "Internal": {
        "description": "Anything unexpected (`internal`); the daemon logs it as `request failed`.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            },
            "example": {
              "error": {
                "code": "internal",
                "message": "the request failed; see the daemon's log"
              }
            }
          }
        }
      },
      "StaleAttempt": {
        "description": "`stale_attempt`: the token no longer holds the attempt (expired, revoked, ended, or another task's); or `idempotency_key_reused`: the Idempotency-Key was used for a different request.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            },
            "example": {
              "error": {
                "code": "stale_attempt",
                "message": "no lease holds this token; this worker no longer holds the attempt: claim a new task"
              }
            }
          }
        }
      },
      "Lease": {
        "description": "The task, what the caller holds, and what to do next.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/LeaseAnswer"
            }
          }
        }
      }
    },
    "parameters": {
      "Limit": {
        "name": "limit",
        "in": "query",
        "required": false,
        "description": "Only the newest N. Anything but a positive integer is 400 `bad-limit`.",
        "schema": {
          "type": "integer",
          "format": "int64",
          "minimum": 1,
          "maximum": 9223372036854775807
        },
        "example": 10
      },
      "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "description": "Runs the POST once: a replay (same key, path and JSON body) gets the first answer again; the same key with anything else is 409 `idempotency_key_reused`. At most 200 characters (400 `bad-idempotency-key`); empty is the same as none. Errors are not kept: a retry with the key tries again.",
        "schema": {
          "type": "string",
          "maxLength": 200
        }
      },
      "TaskID": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "`POOL:KEY`, percent-encoded (the `id` a claim returns). Without a colon, 400 `bad-task-id`.",
        "schema": {
          "type": "string",
          "pattern": "^[^:]+:[\\s\\S]+$"
        },
        "example": "jobs:1"
      }
    },
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "The daemon's token (`--token-file` or `ORBREC_TOKEN`), as `Authorization: Bearer <token>`."
      }
    }
  }
}
"""#

    /// `GET /api/v1/openapi.json`.
    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
