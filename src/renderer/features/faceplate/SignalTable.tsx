import { KindGlyph } from '../../components/Icons'
import { openAsset } from '../../session/model-view'
import type { FaceplateGroup } from '../../lib/tree'
import { SignalRow } from './SignalRow'

/** One asset's signals as a table; a child asset gets a title that opens it. */
/** `tabStop`: the one row that Tab lands on (the trended one, else the first); arrows move between rows. */
export function SignalTable({ group, titled, tabStop }: { group: FaceplateGroup; titled: boolean; tabStop?: string }) {
  const { asset } = group
  return (
    <div className="signal-group" data-testid={`signal-group-${asset.id}`}>
      {titled && (
        <h3 className="group-title">
          <button className="link" onClick={() => void openAsset(asset.id)} title={`Open ${asset.name}`}>
            <KindGlyph kind={asset.kind} /> {asset.name}
          </button>
        </h3>
      )}
      <table className="signals" aria-label={`Signals of ${asset.name}`}>
        <colgroup>
          <col className="c-attr" />
          <col className="c-value" />
          <col className="c-unit" />
          <col className="c-quality" />
          <col className="c-age" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Attribute</th>
            <th scope="col" className="value">
              Value
            </th>
            <th scope="col">Unit</th>
            <th scope="col">Quality</th>
            <th scope="col" className="age">
              Age
            </th>
          </tr>
        </thead>
        <tbody>
          {group.signals.map((s) => (
            <SignalRow key={s.signal} assetId={asset.id} signalId={s.signal} attribute={s.attribute} tabStop={s.signal === tabStop} />
          ))}
          {group.fixed.map((f) => (
            <tr key={`fixed-${f.attribute}`} className={`signal-row fixed f-${f.state}`} data-testid={`fixed-row-${asset.id}-${f.attribute}`} data-state={f.state}>
              <th scope="row" className="attr">
                {f.attribute}
              </th>
              {f.state === 'constant' ? (
                <>
                  <td className="value kind-text">
                    <span className="num">{f.text}</span>
                  </td>
                  <td className="unit">{f.unit}</td>
                  <td className="quality" colSpan={2}>
                    <span className="q-text">Constant</span>
                  </td>
                </>
              ) : (
                <td className="value kind-none" colSpan={4} title={f.text}>
                  <span className="fixed-state">{f.text}</span>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
