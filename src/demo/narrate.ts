/** How the demo speaks: numbered steps, indented facts, and a count of outcomes that were not the expected ones. */
import { isCnabTrustError } from '../core/errors.js';

export class Narrator {
  failures = 0;
  private stepNo = 0;

  say(line = ''): void {
    process.stdout.write(line + '\n');
  }

  step(title: string): void {
    this.say(`\n== ${++this.stepNo}. ${title}`);
  }

  unexpected(what: string): void {
    this.failures++;
    this.say(`   UNEXPECTED: ${what}`);
  }

  /** Run something that must be refused with `code`; narrate the refusal. */
  async expectRefusal(code: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
      this.unexpected(`accepted, but it should have been refused with ${code}`);
    } catch (e) {
      if (isCnabTrustError(e) && e.code === code) this.say(`   refused as expected: error[${e.code}] ${e.message}`);
      else this.unexpected(`refused, but with ${isCnabTrustError(e) ? e.code : String(e)} instead of ${code}`);
    }
  }
}
