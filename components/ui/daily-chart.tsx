import { scaleLinear, scalePoint } from 'd3-scale';
import { area, curveMonotoneX, line } from 'd3-shape';
import type { ReactNode } from 'react';
import styles from './daily-chart.module.css';
import { Table } from './table';

/** The drawing's own units; the SVG stretches them to whatever box the page gives it. */
const WIDTH = 600;
const HEIGHT = 150;

export type DailyPoint = {
  /** YYYY-MM-DD: the key of the row. */
  day: string;
  /** The day as the reader says it ("4 Nov"). */
  label: string;
  count: number;
};

type DailyChartProps = {
  title: string;
  /** One sentence that says what the chart shows: read by everyone, and all a screen reader needs. */
  summary: ReactNode;
  points: DailyPoint[];
  /** "Show the numbers": the disclosure that holds the table of every day. */
  numbersLabel: string;
  columns: [day: string, count: string];
};

/**
 * Counts per day as a line over an area, drawn on the server (d3-scale and d3-shape compute the
 * geometry, React writes the SVG): no script, and nothing sent to the browser but markup. The
 * picture is hidden from assistive technology; the caption's summary and the table of every day,
 * behind a native <details>, say the same in words (docs/decisions/033).
 */
export function DailyChart({ title, summary, points, numbersLabel, columns }: DailyChartProps) {
  const max = Math.max(1, ...points.map((point) => point.count));
  const y = scaleLinear().domain([0, max]).nice().range([HEIGHT, 0]);
  const x = scalePoint<string>()
    .domain(points.map((point) => point.day))
    .range([0, WIDTH]);
  const at = (point: DailyPoint) => x(point.day) ?? 0;
  const top = y.domain()[1]!;
  const ticks = y.ticks(3).filter((tick) => Number.isInteger(tick));
  const linePath = line<DailyPoint>(at, (point) => y(point.count)).curve(curveMonotoneX)(points) ?? '';
  const areaPath =
    area<DailyPoint>(at, HEIGHT, (point) => y(point.count)).curve(curveMonotoneX)(points) ?? '';
  const middle = points[Math.floor(points.length / 2)];
  return (
    <figure className={styles.chart}>
      <figcaption className={styles.caption}>
        <span className={styles.title}>{title}</span> <span className={styles.summary}>{summary}</span>
      </figcaption>
      <div className={styles.plot} aria-hidden="true">
        <div className={styles.yLabels}>
          {ticks.map((tick) => (
            <span key={tick} style={{ top: `${(1 - tick / top) * 100}%` }}>
              {tick}
            </span>
          ))}
        </div>
        <svg
          className={styles.svg}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          focusable="false"
        >
          {ticks.map((tick) => (
            <line
              key={tick}
              className={styles.grid}
              x1={0}
              x2={WIDTH}
              y1={y(tick)}
              y2={y(tick)}
              vectorEffect="non-scaling-stroke"
            />
          ))}
          <path className={styles.area} d={areaPath} />
          <path className={styles.line} d={linePath} vectorEffect="non-scaling-stroke" />
        </svg>
      </div>
      <div className={styles.xLabels} aria-hidden="true">
        <span>{points[0]?.label}</span>
        <span>{middle?.label}</span>
        <span>{points.at(-1)?.label}</span>
      </div>
      <details className={styles.numbers}>
        <summary>{numbersLabel}</summary>
        <Table caption={title} columns={columns}>
          {points.map((point) => (
            <tr key={point.day}>
              <td>
                <time dateTime={point.day}>{point.label}</time>
              </td>
              <td>{point.count}</td>
            </tr>
          ))}
        </Table>
      </details>
    </figure>
  );
}
