import { escapeHtml } from '@rocketlead/contracts';

/** The email asking an existing contact to confirm a form submission: text and HTML, the link in both. */
export function verificationEmail(
  formName: string,
  link: string,
  validHours: number,
): { subject: string; text: string; html: string } {
  const text = [
    'Hello,',
    '',
    `we received a submission of the form "${formName}" with your contact details.`,
    `To confirm it, open this link within ${validHours} hours:`,
    '',
    link,
    '',
    'If you did not submit it, ignore this email: nothing will change.',
  ].join('\n');
  const html = [
    '<p>Hello,</p>',
    `<p>we received a submission of the form &quot;${escapeHtml(formName)}&quot; with your contact details.`,
    `To confirm it, open this link within ${validHours} hours:</p>`,
    `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
    '<p>If you did not submit it, ignore this email: nothing will change.</p>',
  ].join('\n');
  return { subject: `Please confirm your submission: ${formName}`, text, html };
}
