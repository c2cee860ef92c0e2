import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JsonReporter, type Vitest } from 'vitest/node';

/**
 * Vitest's JSON report, for the security gate (scripts/security-coverage.ts), written without the
 * "JSON report written to …" line that the built-in reporter prints after the summary: CI reads the
 * summary as the last lines of `npm test`. The file is removed when the run starts, so a run that
 * dies before its end leaves no report of an earlier run behind for the gate to count.
 */
export default class QuietJsonReporter extends JsonReporter {
  private readonly file: string;

  constructor(options: { outputFile: string }) {
    super(options);
    this.file = options.outputFile;
  }

  override onInit(ctx: Vitest): void {
    super.onInit(ctx);
    rmSync(this.target(), { force: true });
  }

  override async writeReport(report: string): Promise<void> {
    mkdirSync(path.dirname(this.target()), { recursive: true });
    writeFileSync(this.target(), report, 'utf8');
  }

  private target(): string {
    return path.resolve(this.ctx.config.root, this.file);
  }
}
