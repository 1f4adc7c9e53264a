"""SQLModel tables, one module per concept. Importing this package registers every table."""

from sqlmodel import SQLModel

from models.audit import AuditEntry
from models.conversation import Conversation
from models.inbox import InboxUpdate
from models.invite import OfficerInvite
from models.notice import Delivery, Notice, NoticeAck
from models.product import Product, ProductPhoto
from models.sale import Sale
from models.sales_rollup import ProductSalesFY, SalesDaily
from models.summary import SummaryLedger, SummaryPrefs
from models.update import ProcessedUpdate
from models.user import Role, User

metadata = SQLModel.metadata

__all__ = [
    "AuditEntry",
    "Conversation",
    "Delivery",
    "InboxUpdate",
    "Notice",
    "NoticeAck",
    "OfficerInvite",
    "ProcessedUpdate",
    "Product",
    "ProductPhoto",
    "ProductSalesFY",
    "Role",
    "Sale",
    "SalesDaily",
    "SummaryLedger",
    "SummaryPrefs",
    "User",
    "metadata",
]
