import { swapVenueConformance } from '../../test/conformance/swapVenue.ts'
import { startDevnetFixture } from './devnetFixture.ts'

swapVenueConformance({ name: 'uniswap-v3', setup: startDevnetFixture })
