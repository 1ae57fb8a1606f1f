import { MemorySampleStore } from './memory-sample-store'
import { describeSampleStore } from '../../core/testing/sample-store-contract'

describeSampleStore('in-memory fake', async (clock) => new MemorySampleStore({ clock, keepUndelivered: true }))
