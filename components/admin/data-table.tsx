/**
 * The admin table moved into the design system (components/ui/table.tsx, decision 032). Pages written
 * on branches that began before the move still import it under this name.
 */
export { Table as DataTable } from '@/components/ui/table';
