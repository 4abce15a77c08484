/* istanbul ignore file -- the entry point only starts the action. */
import { run } from './main.js'

await run()
