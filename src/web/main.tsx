/** The web viewer's entry: renders the app into the page and opens the live connection. */
import { render } from 'preact'
import { App } from './app.js'
import { startLive } from './live.js'
import './style.css'

const root = document.getElementById('app')
if (root) {
  root.textContent = ''
  render(<App />, root)
  startLive()
}
