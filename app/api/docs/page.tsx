import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { openApiDocument } from '@/lib/api/openapi';
import styles from './docs.module.css';

/**
 * The readable reference of /api/v1, rendered on the server from the OpenAPI document itself: no
 * script, no CDN, nothing the site's CSP would have to allow.
 */

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('apiDocs');
  return { title: t('title') };
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  maxLength?: number;
  maximum?: number;
};

interface Operation {
  tags: string[];
  operationId: string;
  summary: string;
  description?: string;
  'x-scope'?: string;
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

const PROBLEM_CODES = [
  'unauthenticated',
  'invalid_token',
  'insufficient_scope',
  'session_required',
  'origin_refused',
  'invalid_request',
  'malformed_json',
  'unsupported_media_type',
  'body_too_large',
  'not_found',
  'method_not_allowed',
  'rate_limited',
  'busy',
  'internal_error',
] as const;

function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.type === 'array' && schema.items) return `${typeOf(schema.items)}[]`;
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  return schema.format ? `${type} (${schema.format})` : type;
}

function SchemaView({ schema, labels }: { schema: Schema; labels: { required: string; optional: string } }) {
  const object = schema.type === 'array' && schema.items?.properties ? schema.items : schema;
  if (object.anyOf) {
    return (
      <ul>
        {object.anyOf.map((choice, index) => (
          <li key={index}>
            <SchemaView schema={choice} labels={labels} />
          </li>
        ))}
      </ul>
    );
  }
  if (!object.properties) return <code>{typeOf(schema)}</code>;
  return (
    <dl className={styles.fields}>
      {Object.entries(object.properties).map(([name, property]) => (
        <div key={name}>
          <dt>
            <code>{name}</code>{' '}
            <span className={styles.note}>
              {object.required?.includes(name) ? labels.required : labels.optional}
            </span>
          </dt>
          <dd>
            {property.properties || property.items?.properties ? (
              <SchemaView schema={property} labels={labels} />
            ) : (
              <code>{typeOf(property)}</code>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export default async function ApiDocsPage() {
  const t = await getTranslations('apiDocs');
  const document = openApiDocument();
  const labels = { required: t('required'), optional: t('optional') };
  return (
    <>
      <h1>{t('title')}</h1>
      <p>
        {t('lead')} <a href="/api/v1/openapi.json">{t('documentLink')}</a>
      </p>
      {document.tags.map((tag) => (
        <section key={tag.name} aria-labelledby={`tag-${tag.name}`}>
          <h2 id={`tag-${tag.name}`}>{tag.description}</h2>
          {Object.entries(document.paths).flatMap(([path, methods]) =>
            Object.entries(methods as Record<string, Operation>)
              .filter(([, operation]) => operation.tags.includes(tag.name))
              .map(([method, operation]) => (
                <article key={operation.operationId} id={operation.operationId} className={styles.operation}>
                  <h3>
                    <code>{`${method.toUpperCase()} /api/v1${path}`}</code>
                  </h3>
                  <p>{operation.summary}</p>
                  {operation.description ? <p>{operation.description}</p> : null}
                  <p>
                    <strong>{t('access')}:</strong>{' '}
                    {operation['x-scope']
                      ? t('scope', { scope: operation['x-scope'] })
                      : operation.security.length === 0
                        ? t('anonymous')
                        : t('session')}
                  </p>
                  {operation.parameters ? (
                    <>
                      <h4>{t('parameters')}</h4>
                      <dl className={styles.fields}>
                        {operation.parameters.map((parameter) => (
                          <div key={`${parameter.in}-${parameter.name}`}>
                            <dt>
                              <code>{parameter.name}</code>{' '}
                              <span className={styles.note}>
                                {`${parameter.in}, ${parameter.required ? labels.required : labels.optional}`}
                              </span>
                            </dt>
                            <dd>
                              <code>{typeOf(parameter.schema)}</code>
                            </dd>
                          </div>
                        ))}
                      </dl>
                    </>
                  ) : null}
                  {operation.requestBody ? (
                    <>
                      <h4>{t('body')}</h4>
                      <SchemaView
                        schema={operation.requestBody.content['application/json'].schema}
                        labels={labels}
                      />
                    </>
                  ) : null}
                  <h4>{t('responses')}</h4>
                  <dl className={styles.fields}>
                    {Object.entries(operation.responses).map(([status, response]) => {
                      const json = response.content?.['application/json'];
                      return (
                        <div key={status}>
                          <dt>
                            <code>{status}</code>
                          </dt>
                          <dd>
                            {response.description}
                            {json ? <SchemaView schema={json.schema} labels={labels} /> : null}
                          </dd>
                        </div>
                      );
                    })}
                  </dl>
                </article>
              )),
          )}
        </section>
      ))}
      <section aria-labelledby="problems">
        <h2 id="problems">{t('problemsTitle')}</h2>
        <p>{t('problemsLead')}</p>
        <dl className={styles.fields}>
          {PROBLEM_CODES.map((code) => (
            <div key={code} id={`problem-${code}`}>
              <dt>
                <code>{code}</code>
              </dt>
              <dd>{t(`problems.${code}`)}</dd>
            </div>
          ))}
        </dl>
      </section>
    </>
  );
}
