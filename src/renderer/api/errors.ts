import { isAppError, type ErrorShape } from '../../shared/model'

/** Any thrown thing as `{code, message}`, so the UI can always say what went wrong. */
export function toErrorShape(e: unknown): ErrorShape {
  if (isAppError(e)) return { code: e.code, message: e.message }
  const msg = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unexpected error'
  return { code: 'rpc.internal', message: msg }
}

/** What the operator can do about an error, by code. */
export function errorHint(code: string): string {
  switch (code) {
    case 'rpc.closed':
    case 'rpc.timeout':
      return 'The server did not answer. Plantdeck retries on its own; check the network if this persists.'
    case 'rpc.rate_limited':
      return 'Too many requests. Wait a moment and retry.'
    case 'rpc.busy':
      return 'The server is still working on earlier requests of this window. Retry in a moment.'
    case 'signal.unknown':
      return 'The signal is not in the catalog any more. Reload the asset tree.'
    case 'collector.unavailable':
      return 'The data source is not reachable. See the connection chips in the status bar.'
    case 'opcua.not_connected':
    case 'mqtt.not_connected':
      return 'The connection has no session right now. See its state in the status bar; it retries on its own.'
    case 'opcua.untrusted_certificate':
      return "The server's certificate is not trusted yet. Check it under Engineering › Certificates."
    case 'opcua.certificate_rejected_by_server':
      return "The OPC UA server does not trust Plantdeck's certificate. Trust it on the server (the connection's reason names the file and thumbprint); Plantdeck then connects by itself."
    case 'opcua.busy':
      return 'Several endpoint lookups are running already. Retry when one has finished.'
    case 'mqtt.broker_window_capped':
      return "The broker's window for unacknowledged messages caps the rate. Use MQTT 5, or raise max_inflight_messages and max_queued_messages on the broker."
    case 'opcua.unknown_connection':
    case 'mqtt.unknown_connection':
      return 'This connection is not configured on the server. Reload the page to see the current connections.'
    case 'opcua.bad_node_id':
      return 'The server does not know this node. Browse to it again; the address space may have changed.'
    case 'mqtt.duplicate_signal':
      return 'A signal with this id exists already. Choose another signal id.'
    case 'mqtt.bad_mapping':
      return 'The mapping does not fit the topic or payload. Check the JSON path and data type.'
    case 'mqtt.unknown_topic':
      return 'No message has been received on this topic yet.'
    case 'ui.render':
      return 'A display bug, not a plant problem: Retry redraws the panel; the rest of the screen keeps working.'
    case 'model.bad_binding':
    case 'model.bad_template':
      return 'Nothing was created. Fix the template (its binding patterns or base) or pick a parent that fills every pattern.'
    case 'model.bad_import':
      return 'Nothing was imported. Fix the file at the line named above and check it again.'
    case 'model.name_taken':
      return 'A sibling already has this name: pick another name or another parent.'
    case 'model.unknown':
      return 'The asset or template is gone (deleted or undone elsewhere). The tree reloads on its own.'
    default:
      return 'Retry; if it happens again, report the code to your engineer.'
  }
}
