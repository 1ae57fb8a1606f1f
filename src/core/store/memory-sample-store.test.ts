import { MemorySampleStore } from '../testing/memory-sample-store'
import { describeSampleStore } from './sample-store-contract'

describeSampleStore('in-memory fake', async (clock) => new MemorySampleStore({ clock, keepUndelivered: true }))
