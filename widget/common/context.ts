import { createContext } from '@lit/context';
import type { SeatStore } from './store.js';

/** The shared store a `<seat-provider>` gives every seatkit element inside it. */
export const seatContext = createContext<SeatStore | undefined>(Symbol.for('seatkit/store'));
